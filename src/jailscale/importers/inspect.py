"""Inspect AI evaluation logs (https://inspect.aisi.org.uk/eval-logs.html) as jailscale evidence.

Two formats, one Submission per log (one task on one model):

- the ``.eval`` archive: a ZIP whose members are zstd-compressed (ZIP method 93, which Python's
  ``zipfile`` cannot decompress: members are read raw and decompressed with ``zstandard``, bounded,
  and their CRC checked). ``header.json`` holds the task and model; each ``samples/<id>_epoch_<n>.json``
  one sample in one epoch. The header's ``results`` are already reduced across epochs and are not used.
- the JSON log (``inspect eval --log-format json``): the same header fields and a ``samples`` list.

Every sample in every epoch is one transcript (the epoch is its sample number). The condition comes
from the sample's metadata (``condition``: ``baseline`` or ``jailbreak``) where the task sets it;
without it every sample is a jailbreak attempt and the importer says there is no baseline. The
behaviour is ``metadata.behaviour`` (or ``behavior``), else the sample id; its tier is
``metadata.tier``, else the user's ``--tier``.

Scores become recorded verdicts named ``inspect/<scorer>``, but only for scorers whose sense the
user states (``--complied-when SCORER=VALUE``): Inspect's ``C``/``I`` means "met the criterion",
and only the task's author knows whether meeting it means the model complied.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Message, Submission, Technique, Transcript, Verdict
from ..formats.io import validate
from ._base import ImportOptions, ImportResult
from ._common import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    build_suite,
    check_size,
    head_bytes,
    label_for,
    no_baseline_warning,
    note,
    number_samples,
    obj,
    quote,
    read_json_bytes,
    read_json_file,
    safe_id,
    text_of,
    tier_of,
)

ZSTD_METHOD = 93
SAMPLE_MEMBER = re.compile(r"^samples/(.+)_epoch_(\d+)\.json$")
ATTACHMENT = "attachment://"
CONDITIONS = ("baseline", "jailbreak")
SOURCE_URL = "https://inspect.aisi.org.uk/"


def detect(path: Path, head: bytes) -> bool:
    if path.suffix.lower() == ".eval" or (head.startswith(b"PK") and path.suffix.lower() != ".zip"):
        return head.startswith(b"PK")
    return path.suffix.lower() == ".json" and b'"eval"' in head and (b'"version"' in head or b'"status"' in head)


def _member(z: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    """One archive member, decompressed with at most :data:`MAX_MEMBER_BYTES` and its CRC checked."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise UserError(f"{where}: member '{info.filename}' declares {info.file_size} bytes, over the limit "
                        f"of {MAX_MEMBER_BYTES}")
    import zstandard

    try:
        if info.compress_type != ZSTD_METHOD:
            with z.open(info) as f:
                data = f.read(MAX_MEMBER_BYTES + 1)
        else:
            raw_info = zipfile.ZipInfo(info.filename, info.date_time)
            raw_info.compress_type = zipfile.ZIP_STORED
            raw_info.compress_size = raw_info.file_size = info.compress_size
            raw_info.header_offset = info.header_offset
            raw_info.flag_bits = info.flag_bits
            # no CRC on raw_info: the archive's CRC is of the decompressed bytes, checked below
            with z.open(raw_info) as raw, zstandard.ZstdDecompressor().stream_reader(raw) as r:
                data = r.read(MAX_MEMBER_BYTES + 1)
                while len(data) <= MAX_MEMBER_BYTES:
                    more = r.read(MAX_MEMBER_BYTES + 1 - len(data))
                    if not more:
                        break
                    data += more
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise UserError(f"{where}: member '{info.filename}' cannot be read: {e}") from None
    except zstandard.ZstdError as e:
        raise UserError(f"{where}: member '{info.filename}' is not valid zstd data: {e}") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise UserError(f"{where}: member '{info.filename}' decompresses past the limit of {MAX_MEMBER_BYTES} bytes")
    if zlib.crc32(data) != info.CRC:
        raise UserError(f"{where}: member '{info.filename}' fails its CRC check; the archive is corrupt")
    return data


def read_eval_archive(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and the samples of an ``.eval`` archive."""
    check_size(path)
    where = f"'{path}'"
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UserError(f"{where} is not an Inspect .eval archive (not a ZIP file)") from None
    with z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UserError(f"{where} has {len(infos)} members, over the limit of {MAX_MEMBERS}")
        names = {i.filename: i for i in infos}
        if "header.json" not in names:
            start = names.get("_journal/start.json")
            if start is None:
                raise UserError(f"{where} has no header.json: not an Inspect .eval log")
            header = read_json_bytes(_member(z, start, where), f"{where} _journal/start.json")
        else:
            header = read_json_bytes(_member(z, names["header.json"], where), f"{where} header.json")
        samples = []
        for info in sorted(infos, key=lambda i: i.filename):
            m = SAMPLE_MEMBER.match(info.filename)
            if m:
                s = read_json_bytes(_member(z, info, where), f"{where} {info.filename}")
                if isinstance(s, dict):
                    s.setdefault("epoch", int(m.group(2)))
                samples.append(s)
    return header, samples


def read_json_log(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = read_json_file(path)
    if not isinstance(data, dict) or "eval" not in data:
        raise UserError(f"'{path}' is not an Inspect JSON log: no 'eval' header")
    samples = data.get("samples")
    if samples is None:
        raise UserError(f"'{path}' has no samples: run inspect with log_samples=True (the default) so the "
                        "log keeps each sample")
    if not isinstance(samples, list):
        raise UserError(f"'{path}': 'samples' must be a list")
    return data, samples


def _content(value: Any, attachments: dict[str, Any], where: str) -> str:
    """Message content as text: a string, or a list of content parts whose text parts are joined;
    ``attachment://`` references are resolved from the sample's attachments."""
    if isinstance(value, list):
        parts = [p.get("text") if isinstance(p, dict) else p for p in value]
        value = "\n".join(p for p in parts if isinstance(p, str))
    text = text_of(value if value is not None else "", where)
    if text.startswith(ATTACHMENT):
        ref = text[len(ATTACHMENT):]
        text = text_of(attachments.get(ref, text), where)
    return text


def _prompt(sample: dict[str, Any], where: str) -> list[Message]:
    att = obj(sample.get("attachments"))
    msgs = sample.get("messages")
    out: list[Message] = []
    if isinstance(msgs, list) and msgs:
        for i, m in enumerate(msgs):
            if not isinstance(m, dict):
                continue
            role = m.get("role")
            if role == "assistant":
                break
            if role in ("system", "user"):
                out.append(Message(role=role, content=_content(m.get("content"), att, f"{where} messages[{i}]")))
        if out:
            return out
    inp = sample.get("input")
    if isinstance(inp, str):
        return [Message(role="user", content=_content(inp, att, f"{where} input"))]
    if isinstance(inp, list):
        return [Message(role=m["role"], content=_content(m.get("content"), att, f"{where} input"))
                for m in inp if isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")]
    return out


def _response(sample: dict[str, Any], where: str) -> tuple[str | None, str | None]:
    att = obj(sample.get("attachments"))
    err = sample.get("error")
    if err:
        msg = err.get("message") if isinstance(err, dict) else err
        return None, f"Inspect recorded an error for this sample: {note(msg)[:300]}"
    out = sample.get("output")
    if not isinstance(out, dict):
        return None, "no output recorded"
    completion = out.get("completion")
    if completion is None:
        choices = out.get("choices") or []
        msg = choices[0].get("message") if choices and isinstance(choices[0], dict) else None
        completion = msg.get("content") if isinstance(msg, dict) else None
    if completion is None:
        return None, "no completion recorded"
    return _content(completion, att, f"{where} output"), None


def _verdicts(sample: dict[str, Any], options: ImportOptions, version: str, where: str) -> list[Verdict]:
    scores = sample.get("scores")
    if not isinstance(scores, dict):
        return []
    out = []
    for name, sc in sorted(scores.items()):
        complied = options.complied_when.get(name)
        if complied is None or not isinstance(sc, dict):
            continue
        value = sc.get("value")
        if isinstance(value, dict | list):
            raise UserError(f"{where}: scorer {quote(name)} records a structured value; jailscale reads one "
                            "value per scorer")
        label = label_for(value, complied)
        why = f"recorded {name}={value!r} (complied when {complied!r})"
        if sc.get("explanation"):
            why += f": {note(sc['explanation'])}"
        out.append(Verdict(judge=f"inspect/{name}", judge_version=version, label=label,
                           rationale=why))
    return out


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def load(path: Path, options: ImportOptions) -> ImportResult:
    """Import an Inspect ``.eval`` archive or JSON log (or a folder of them)."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.rglob("*.eval"), *path.rglob("*.json")])
        result = ImportResult()
        for f in files:
            if detect(f, head_bytes(f)):
                result.extend(load(f, options))
        if not result.submissions:
            raise UserError(f"'{path}' holds no Inspect logs (*.eval or JSON logs)")
        return result
    if not path.exists():
        raise UserError(f"'{path}' does not exist; give an Inspect .eval or JSON log")
    header, samples = read_eval_archive(path) if path.suffix.lower() == ".eval" else read_json_log(path)
    return _build(path, header, samples, options)


def _build(path: Path, header: dict[str, Any], samples: list[Any], options: ImportOptions) -> ImportResult:
    where = f"'{path}'"
    ev = header.get("eval")
    if not isinstance(ev, dict):
        raise UserError(f"{where}: no 'eval' header: not an Inspect log")
    task = str(ev.get("task") or "task")
    model = str(ev.get("model") or "")
    if not model:
        raise UserError(f"{where}: the log names no model (eval.model)")
    version = str((ev.get("packages") or {}).get("inspect_ai") or ev.get("task_version") or "unknown")
    scorers = sorted({str(s.get("name")) for s in ev.get("scorers") or [] if isinstance(s, dict)}
                     | {k for s in samples if isinstance(s, dict) for k in (s.get("scores") or {})})
    unknown = sorted(set(options.complied_when) - set(scorers))
    if unknown:
        raise UserError(f"{where}: no scorer named {', '.join(map(quote, unknown))}; the log's scorers are "
                        f"{', '.join(scorers) or 'none'}")
    if not options.complied_when:
        raise UserError(f"{where}: say which score means the model complied, for each scorer to use, e.g. "
                        f"--complied-when {scorers[0] if scorers else 'SCORER'}=C (the log's scorers: "
                        f"{', '.join(scorers) or 'none'}); Inspect's C means 'met the criterion', which is "
                        "compliance for some scorers and refusal for others")
    result = ImportResult()
    behaviours: dict[str, dict[str, Any]] = {}
    evidence: list[Transcript] = []
    techniques: set[str] = set()
    for i, s in enumerate(samples):
        sw = f"{where} sample {quote(s.get('id') if isinstance(s, dict) else i)}"
        if not isinstance(s, dict):
            raise UserError(f"{sw}: a sample must be an object")
        meta = obj(s.get("metadata"))
        cond = meta.get("condition", "jailbreak")
        if cond not in CONDITIONS:
            raise UserError(f"{sw}: metadata.condition {quote(cond)} is not one of {', '.join(CONDITIONS)}")
        bid = safe_id(str(meta.get("behaviour") or meta.get("behavior") or s.get("id") or i))
        prompt = _prompt(s, sw)
        response, error = _response(s, sw)
        if isinstance(meta.get("technique"), str) and cond == "jailbreak":
            techniques.add(meta["technique"])
        b = behaviours.setdefault(bid, {"category": options.category or str(meta.get("category") or task),
                                        "tier": tier_of(meta.get("tier"), options, sw), "tags": []})
        request = meta.get("goal") or meta.get("request")
        user_text = next((m.content for m in prompt if m.role == "user"), "")
        if isinstance(request, str) and request:
            b["request"] = request
        elif cond == "baseline" or "request" not in b:
            b["request"] = user_text or f"(behaviour {bid}: no request text in the log)"
        epoch = s.get("epoch", 1)
        evidence.append(validate(Transcript, {
            "behaviour": bid, "condition": cond, "sample": max(0, int(epoch) - 1) if isinstance(epoch, int) else 0,
            "model": model, "prompt": prompt, "response": response, "error": error,
            "started_at": _time(s.get("started_at")), "finished_at": _time(s.get("completed_at")),
            "verdicts": _verdicts(s, options, version, sw)}, sw))
    if not evidence:
        raise UserError(f"{where}: the log holds no samples")
    evidence.sort(key=lambda t: (t.behaviour, t.condition, t.sample))
    evidence = number_samples(evidence)
    created = _time(ev.get("created"))
    technique = sorted(techniques)[0] if len(techniques) == 1 else task
    if len(techniques) > 1:
        result.warnings.append(f"{where}: samples name several techniques ({', '.join(sorted(techniques))}); "
                               f"the submission is named after the task {task!r}")
    sid = safe_id(f"inspect.{task}.{model}")
    suite = build_suite(f"inspect-{safe_id(task)}", f"Inspect log {path.name}, task {task}", behaviours)
    sub = validate(Submission, {
        "id": sid, "title": f"{technique} on {model}: Inspect task {task}",
        "assessed_on": (created or dt.datetime.now(dt.UTC)).date().isoformat(),
        "technique": Technique(kind="opaque", name=technique, public_reference=SOURCE_URL,
                               description=f"Recorded by Inspect AI {version} (task {task}); the prompts "
                                           "are in the evidence."),
        "target": {"model": model}, "suite": f"{sid}.suite.json", "evidence": evidence}, where)
    result.submissions.append(sub)
    result.suites[sid] = suite
    if not any(t.condition == "baseline" for t in evidence):
        result.warnings.append(no_baseline_warning(sid, "the Inspect task"))
    unused = sorted(set(scorers) - set(options.complied_when))
    if unused:
        result.warnings.append(f"{sid}: scorer(s) {', '.join(unused)} not imported: their sense was not stated "
                               "(--complied-when SCORER=VALUE)")
    if created is None:
        result.warnings.append(f"{sid}: the log has no creation date; today's date is used")
    return result
