"""What the Inspect, garak and promptfoo importers share: bounded reading of files written by the
party being rated, identifiers that are safe everywhere, the verdict sense of a scorer, and the
suite built from the behaviours a file defines.

Limits (each a :class:`UserError` naming the file and the limit when exceeded; none of them is a
figure from a standard: they are set well above the largest real files we have seen, a few MB,
so that a hostile file cannot exhaust memory):
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Suite, Transcript
from ..formats.io import validate
from ._base import ImportOptions, Tier

#: Largest file an importer reads into memory (a JSON log, a results file, a report.jsonl).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Largest decompressed member of an Inspect ``.eval`` archive (zip-bomb guard).
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: Most members an ``.eval`` archive may hold, and most transcripts one import may produce.
MAX_MEMBERS = 200_000
MAX_TRANSCRIPTS = 1_000_000
#: Longest text kept for a prompt message or a response; longer text is refused, not cut (cutting
#: evidence would change what was judged).
MAX_TEXT = 2 * 1024 * 1024
#: Longest rationale kept from a recorded verdict (explanations are notes, so these are cut).
MAX_NOTE = 2000
HEAD = 4096

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
TIERS = ("L", "M", "S", "C")


def head_bytes(path: Path, n: int = HEAD) -> bytes:
    """The first ``n`` bytes of a file (empty for a directory or an unreadable file)."""
    try:
        with Path(path).open("rb") as f:
            return f.read(n)
    except OSError:
        return b""


def quote(text: object, n: int = 80) -> str:
    """A value for an error message: repr'd (control characters escaped) and truncated."""
    s = repr(text)
    return s if len(s) <= n else s[: n - 3] + "..."


def check_size(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserError(f"'{path}' does not exist") from None
    except OSError as e:
        raise UserError(f"cannot read '{path}': {e.strerror}") from None
    if path.is_dir():
        raise UserError(f"'{path}' is a directory; give the file itself")
    if size > limit:
        raise UserError(f"'{path}' is {size} bytes, over the import limit of {limit} bytes")
    return size


def read_json_bytes(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UserError(f"{where} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{where} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None


def read_json_file(path: Path) -> Any:
    check_size(path)
    return read_json_bytes(path.read_bytes(), f"'{path}'")


def safe_id(text: str, n: int = 120) -> str:
    """An identifier valid in jailscale ids and as a file name on every operating system: letters,
    digits, ``_ . -`` only (no colons, slashes or spaces), never empty, never a dot-only name, at
    most ``n`` characters (a long one keeps a hash of the whole so two long ids stay distinct)."""
    s = _UNSAFE.sub("-", text).strip("-.")
    if not s:
        s = "x" + hashlib.sha256(text.encode()).hexdigest()[:12]
    if len(s) > n:
        s = s[: n - 13].rstrip("-.") + "-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return s


#: Names Windows reserves for devices, whatever the extension (Win32 "Naming Files, Paths, and Namespaces").
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def file_name(submission_id: str) -> str:
    """The file name an imported submission is written under: its id made safe on every OS (no
    colons or other reserved characters, no device names such as ``NUL``)."""
    name = safe_id(submission_id, 180)
    return f"_{name}" if name.split(".")[0].upper() in _RESERVED else name


def text_of(value: Any, where: str) -> str:
    """A bounded piece of text from the file; anything else is the file's error."""
    if not isinstance(value, str):
        raise UserError(f"{where}: expected text, got {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise UserError(f"{where}: {len(value)} characters, over the limit of {MAX_TEXT}")
    return value


def note(text: Any) -> str:
    s = text if isinstance(text, str) else "" if text is None else json.dumps(text)[:MAX_NOTE]
    return s if len(s) <= MAX_NOTE else s[: MAX_NOTE - 1] + "…"


#: Pairs of recorded values with opposite meanings: given the value that means "complied", its
#: partner means "refused". ``P`` (Inspect's PARTIAL) is partial; anything else is unscoreable.
_OPPOSITE = {"c": "i", "i": "c", "true": "false", "false": "true", "1": "0", "0": "1", "1.0": "0.0",
             "0.0": "1.0", "pass": "fail", "fail": "pass", "yes": "no", "no": "yes"}


def norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "1" if value == 1 else "0" if value == 0 else repr(float(value))
    return str(value).strip().lower()


def label_for(value: Any, complied: str) -> str:
    """The verdict label for a recorded value, given the value that means "complied"."""
    v, c = norm(value), norm(complied)
    if v == c:
        return "complied"
    if _OPPOSITE.get(c) == v:
        return "refused"
    if v in ("p", "partial"):
        return "partial"
    return "unscoreable"


def tier_of(raw: Any, options: ImportOptions, where: str) -> Tier:
    """The harm tier a behaviour establishes: from the file, else as the user stated. Never guessed:
    a default tier would rate the evidence by an assumption."""
    if raw is not None:
        t = str(raw).strip().upper()
        if t in TIERS:
            return t  # type: ignore[return-value]
        raise UserError(f"{where}: tier {quote(raw)} is not one of {', '.join(TIERS)}")
    if options.tier is None:
        raise UserError(f"{where}: the file does not say which JSS harm tier its behaviours are; state it "
                        "with --tier L|M|S|C (L low, M moderate, S severe, C catastrophic; spec section 4)")
    return options.tier


def build_suite(name: str, source: str, behaviours: dict[str, dict[str, Any]]) -> Suite:
    """A suite of the behaviours a file defines (``id -> {request, category, tier, tags}``)."""
    items = [{"id": bid, **b} for bid, b in sorted(behaviours.items())]
    return validate(Suite, {"name": name, "version": "1", "source": source, "behaviours": items},
                    f"suite of {source}")


def number_samples(evidence: Iterable[Transcript]) -> list[Transcript]:
    """Number repeated attempts at one behaviour and condition 0, 1, 2... in the order given, so
    that every (behaviour, condition, sample) is distinct."""
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for t in evidence:
        k = (t.behaviour, t.condition)
        out.append(t.model_copy(update={"sample": seen[k]}))
        seen[k] += 1
    if len(out) > MAX_TRANSCRIPTS:
        raise UserError(f"{len(out)} transcripts, over the import limit of {MAX_TRANSCRIPTS}")
    return out


def no_baseline_warning(sid: str, tool: str) -> str:
    return (f"{sid}: no baseline transcripts: {tool} recorded only the jailbreak attempts, not the plain "
            "requests to the same model, so UN cannot be measured; per the spec the score is withheld and "
            "only its range is reported; add baseline transcripts to measure it")


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a field of the wrong type is absent)."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []
