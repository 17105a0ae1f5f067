"""Reading untrusted files: one layer for every file a user (or the party being rated) hands us.

Submissions, suites, policies, imported evidence, assessments and dataset CSVs are all read here, and
each read is bounded before it is parsed:

- **Regular files only.** A device (``/dev/zero``), FIFO, socket or terminal (``/dev/stdin``) is
  refused before a byte is read: the file is opened non-blocking (a FIFO cannot hang the open) and
  checked with ``fstat`` on the open descriptor (no check-then-open race).
- **A size cap** (:data:`DEFAULT_MAX_MB`, raised with ``--max-input-mb`` or ``$JAILSCALE_MAX_INPUT_MB``),
  enforced on the bytes actually read, not on what ``stat`` claims.
- **YAML** through libyaml (``CSafeLoader``) where present; before anything is constructed the node
  graph is walked once: every alias use counts its whole subtree again, so an alias bomb ("billion
  laughs") is refused after at most :data:`MAX_NODES` steps, in bounded memory; mapping keys must be
  unique; nesting is at most :data:`MAX_DEPTH` deep.
- **JSON** with duplicate keys refused and the same depth limit (no ``RecursionError``).
- **Paths named inside a file** (a submission's ``suite:``) are resolved relative to that file and must
  stay inside its folder (:func:`confined`); only paths typed on the command line may point anywhere.

Every failure is a :class:`~jailscale.errors.UserError` whose message quotes untrusted values
truncated and escaped (:func:`jailscale.textsafe.quote`), never ``str()`` of a parsed structure.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import UserError
from ..textsafe import quote, terminal, truncate

M = TypeVar("M", bound=BaseModel)

#: Environment variable that raises (or lowers) the size cap, in MB (10^6 bytes).
ENV_MAX_MB = "JAILSCALE_MAX_INPUT_MB"
#: Default size cap in MB. A submission of 30,000 transcripts with 2 kB responses is about 80 MB of
#: JSON; 256 MB leaves three times that, and parsing it peaks near 1.5 GB, what a laptop can spare.
DEFAULT_MAX_MB = 256
#: Deepest nesting accepted in JSON or YAML. jailscale's own formats nest at most 6 levels (submission
#: > evidence > transcript > prompt > message > field); imported formats a few more. libyaml itself
#: stops at 1000 levels, CPython's json at the recursion limit.
MAX_DEPTH = 64
#: Most YAML nodes a document may expand to, counting an aliased subtree once per use; a file without
#: aliases has fewer nodes than bytes, so the cap is the larger of this and the file's size in bytes.
MAX_NODES = 2_000_000
#: Most alias uses (``*name``) in one YAML document.
MAX_ALIASES = 10_000

_KIND = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFIFO: "a FIFO (pipe)",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


def max_input_bytes() -> int:
    """The size cap in bytes: ``$JAILSCALE_MAX_INPUT_MB`` MB, else :data:`DEFAULT_MAX_MB` MB."""
    raw = os.environ.get(ENV_MAX_MB, "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1_000_000
    try:
        mb = float(raw)
    except ValueError:
        raise UserError(f"{ENV_MAX_MB}={quote(raw, 20)} is not a number of megabytes (e.g. {ENV_MAX_MB}=1024)") \
            from None
    if not 0 < mb < 1e9:
        raise UserError(f"{ENV_MAX_MB}={quote(raw, 20)} must be a positive number of megabytes")
    return int(mb * 1_000_000)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def show_path(path: Path | str) -> str:
    """A path for a message: quoted, escaped and truncated (a file name is untrusted text too)."""
    return quote(str(path), 160)


def _label(what: str, path: Path) -> str:
    return f"{what} {show_path(path)}" if what else show_path(path)


def read_bytes(path: Path, *, what: str = "", missing_hint: str = "",
               directory_hint: str = "give a file", limit: int | None = None) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes (default
    :func:`max_input_bytes`). Refused before reading: a missing file, a directory, a device, FIFO or
    socket. Every failure is a UserError naming the file and saying what to do."""
    limit = max_input_bytes() if limit is None else limit
    shown = _label(what, path)
    fd = open_regular(path, shown, missing_hint=missing_hint, directory_hint=directory_hint, limit=limit)
    try:
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise UserError(too_big(shown, got, limit, grew=True))
        return b"".join(chunks)
    except OSError as e:
        if e.errno == errno.EISDIR:
            raise UserError(f"{shown} is a directory; {directory_hint}") from None
        raise UserError(f"cannot read {shown}: {e.strerror or e}") from None
    finally:
        os.close(fd)


def open_regular(path: Path, shown: str, *, missing_hint: str = "", directory_hint: str = "give a file",
                 limit: int) -> int:
    """An open, blocking file descriptor on ``path``, which must be a regular file whose size is at
    most ``limit`` bytes (the caller still counts what it reads: a file may grow). The checks of
    :func:`read_bytes`, for a caller that reads the file piece by piece; the caller closes it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if "\x00" in str(path):
        raise UserError(f"{shown} contains a NUL byte; give a file path")
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserError(f"{shown} does not exist{missing_hint}") from None
    except IsADirectoryError:
        raise UserError(f"{shown} is a directory; {directory_hint}") from None
    except OSError as e:
        try:  # a socket cannot be opened at all (ENXIO): say what it is
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            kind = _KIND.get(stat.S_IFMT(mode), "not a regular file")
            raise UserError(f"{shown} is {kind}, not a regular file; give a regular file") from None
        raise UserError(f"cannot read {shown}: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = _KIND.get(stat.S_IFMT(st.st_mode), "not a regular file")
            hint = directory_hint if stat.S_ISDIR(st.st_mode) else "give a regular file (save the data to a file first)"
            raise UserError(f"{shown} is {kind}, not a regular file; {hint}")
        if st.st_size > limit:
            raise UserError(too_big(shown, st.st_size, limit))
        os.set_blocking(fd, True)
        return fd
    except OSError as e:
        os.close(fd)
        if e.errno == errno.EISDIR:
            raise UserError(f"{shown} is a directory; {directory_hint}") from None
        raise UserError(f"cannot read {shown}: {e.strerror or e}") from None
    except BaseException:
        os.close(fd)
        raise


def too_big(shown: str, size: int, limit: int, grew: bool = False) -> str:
    size_text = f"more than {_mb(limit)}" if grew else _mb(size)
    return (f"{shown} is {size_text}, over the {_mb(limit)} limit for input files; if it is "
            f"genuine, raise the limit with --max-input-mb N or {ENV_MAX_MB}=N")


def decode_utf8(raw: bytes, shown: str) -> str:
    """``raw`` decoded as UTF-8 (a byte-order mark is allowed), or a UserError with the line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise UserError(f"{shown} is not UTF-8 text (byte 0x{raw[e.start]:02x} on line {line}); "
                        "re-save it as UTF-8") from None


def read_utf8(path: Path, missing_hint: str = "", directory_hint: str = "give a file", what: str = "") -> str:
    """A file's text decoded as UTF-8 (a byte-order mark is allowed), read through :func:`read_bytes`."""
    raw = read_bytes(path, what=what, missing_hint=missing_hint, directory_hint=directory_hint)
    return decode_utf8(raw, _label(what, path))


# --- parsing ---------------------------------------------------------------------------------------
def _no_duplicates(shown: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise UserError(f"{shown} repeats the key {quote(k, 60)} in one object; keep one")
            out[k] = v
        return out
    return hook


def _check_depth(data: Any, shown: str) -> None:
    """Iteratively: no list or dict nested deeper than :data:`MAX_DEPTH`."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UserError(_too_deep(shown))
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def _too_deep(shown: str) -> str:
    return f"{shown} is nested more than {MAX_DEPTH} levels deep; jailscale formats are far shallower: check the file"


def parse_json(text: str, shown: str) -> Any:
    """JSON with duplicate keys refused and nesting bounded."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(shown))
    except RecursionError:
        raise UserError(_too_deep(shown)) from None
    except json.JSONDecodeError as e:
        truncated = e.msg.startswith("Unterminated") or e.pos >= len(text.rstrip()) - 1
        raise UserError(f"{shown} is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
                        + ("; the file looks truncated" if truncated else "")) from None
    _check_depth(data, shown)
    return data


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_yaml_nodes(root: yaml.Node, shown: str, max_nodes: int) -> None:
    """Walk the composed node graph as construction would expand it: each alias use walks its target
    again, so the walk's length is the expanded size, and it stops at ``max_nodes``. Also: nesting at
    most :data:`MAX_DEPTH`, at most :data:`MAX_ALIASES` alias uses, no repeated mapping key."""
    seen: set[int] = set()
    aliases = steps = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        steps += 1
        if steps > max_nodes:
            raise UserError(f"{shown} expands to more than {max_nodes:,} values (YAML anchors and aliases "
                            "repeat data); refusing it: write the data out without aliases")
        if depth > MAX_DEPTH:
            raise UserError(_too_deep(shown))
        if isinstance(node, yaml.CollectionNode):
            if id(node) in seen:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise UserError(f"{shown} uses YAML aliases more than {MAX_ALIASES:,} times; refusing it: "
                                    "write the data out without aliases")
            seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    key = (k.tag, k.value)
                    if key in keys:
                        line = k.start_mark.line + 1 if k.start_mark else "?"
                        raise UserError(f"{shown} repeats the key {quote(k.value, 60)} (line {line}); keep one")
                    keys.add(key)
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def parse_yaml(text: str, shown: str) -> Any:
    """YAML (safe tags only) through libyaml when present, with the node checks above done before any
    object is constructed."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_yaml_nodes(node, shown, max(MAX_NODES, len(text)))
        return loader.construct_document(node)
    except RecursionError:
        raise UserError(_too_deep(shown)) from None
    except yaml.YAMLError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise UserError(f"{shown} is not valid YAML: {terminal(first[:200])}{where}") from None
    finally:
        loader.dispose()


def parse_data(text: str, shown: str, json_only: bool = False) -> Any:
    if json_only:
        return parse_json(text, shown)
    return parse_yaml(text, shown)


def read_data(path: Path, what: str = "") -> Any:
    """Parse a JSON or YAML file (by extension; YAML also reads JSON), bounded as described above."""
    text = read_utf8(path, what=what)
    shown = _label(what, path)
    if not text.strip():
        raise UserError(f"{shown} is empty")
    return parse_data(text, shown, json_only=path.suffix.lower() == ".json")


def confined(base_file: Path, named: str, field: str) -> Path:
    """A path named inside ``base_file`` (e.g. a submission's ``suite:``), resolved relative to the
    file's folder; it must stay inside that folder after symlinks are resolved, so a file cannot make
    jailscale read ``/etc/passwd`` or ``../../secret``. Paths typed on the command line are not
    confined."""
    if "\x00" in named:
        raise UserError(f"{show_path(base_file)}: {field} {quote(named, 80)} contains a NUL byte; give a file path")
    folder = base_file.resolve().parent
    target = (folder / named).resolve()
    if not target.is_relative_to(folder):
        raise UserError(f"{show_path(base_file)}: {field} {quote(named, 80)} points outside the file's folder; "
                        "a path inside a file must stay in its folder: pass it on the command line instead")
    return target


# --- validation ------------------------------------------------------------------------------------
def describe(e: ValidationError, limit: int = 5) -> str:
    """Pydantic errors as 'field.path: message' items; values quoted, truncated and escaped."""
    items = []
    for err in e.errors()[:limit]:
        loc = ".".join(quote(p, 40)[1:-1] if isinstance(p, str) else str(p) for p in err["loc"]) or "(top level)"
        msg = terminal(err["msg"].removeprefix("Value error, ")[:300])
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (got {quote(value, 60)})"
        items.append(f"{loc}: {msg}{shown}")
    more = len(e.errors()) - limit
    return "; ".join(items) + (f"; and {more} more" if more > 0 else "")


def validate(model: type[M], data: Any, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise UserError(f"{source}: not a valid {model.__name__}: {describe(e)}") from None
    except RecursionError:
        raise UserError(f"{source}: nested too deeply to be a {model.__name__}") from None


def read_model(model: type[M], path: Path) -> M:
    return validate(model, read_data(path), terminal(truncate(str(path), 160)))
