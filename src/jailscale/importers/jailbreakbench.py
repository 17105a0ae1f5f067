"""JailbreakBench evidence (https://github.com/JailbreakBench/artifacts) as jailscale submissions.

Two formats, one Submission per attack x model:

- **artifact files** ``<ATTACK>/<attack_type>/<model>.json``: ``{"parameters": {...}, "jailbreaks":
  [{index, goal, behavior, category, prompt, response, jailbroken, ...}]}``. A directory is walked
  and every artifact file in it imported.
- **the raw submission format** of the ``jailbreakbench`` package: ``submission.json``
  (``summaries.<model>.{model_summary, jailbreaks}``, ``eval_logs``) with ``evaluation.json``
  (``<model>.<behavior> -> {prompt, response, jailbroken}`` and ``details``) beside it. In a walked
  directory it is imported only when no artifact files sit under its folder (they hold the same
  evidence).

Every transcript is condition ``jailbreak``, sample 0, behaviour id as in the ``jbb`` suite loader.
A search attack's exhausted search (PAIR: null prompt and response, ``number_of_queries`` spent,
``jailbroken: false``) is one attempt that did not succeed, with its query count in ``queries``: PAIR on
gpt-4 reads 34/100, as the file's own ``attack_success_rate`` says, not 34/64. Any other null prompt or
response is missing evidence: an ``error`` transcript, never a refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats.io import read_data
from ..textsafe import quote
from ._base import ImportResult
from ._jbb_evidence import Record, build

SUBMISSION = "submission.json"
EVALUATION = "evaluation.json"
ATTACK_INFO = "attack-info.json"
NOT_ARTIFACTS = frozenset({SUBMISSION, EVALUATION, ATTACK_INFO})


def load(path: Path) -> ImportResult:
    """Import a JailbreakBench artifact file, a raw ``submission.json``, or a directory of either."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"'{path}' does not exist; give a JailbreakBench artifact file or directory")
    if not path.is_file() and not path.is_dir():
        raise UserError(f"'{path}' is not a regular file or folder (a device, FIFO or socket); give a "
                        "JailbreakBench artifact file or directory")
    if path.is_file():
        if path.name == ATTACK_INFO:
            raise UserError(f"'{path}' is an index of artifact files, not evidence; give the attack folder")
        if path.name in (SUBMISSION, EVALUATION):
            return load_submission(path.parent)
        return load_artifact(path)
    result = ImportResult()
    artifacts = sorted(p for p in path.rglob("*.json") if p.name not in NOT_ARTIFACTS)
    for raw in sorted(path.rglob(SUBMISSION)):
        if any(a.is_relative_to(raw.parent) for a in artifacts):
            result.warnings.append(f"'{raw}' skipped: the artifact files under '{raw.parent}' hold the same "
                                   "evidence and were imported instead; import the file itself to use it")
        else:
            result.extend(load_submission(raw.parent))
    for a in artifacts:
        result.extend(load_artifact(a))
    if not result.submissions:
        raise UserError(f"'{path}' holds no JailbreakBench artifact files (<ATTACK>/<type>/<model>.json) "
                        f"and no {SUBMISSION}")
    ids = [s.id for s in result.submissions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise UserError(f"'{path}' holds the same attack x model twice: {', '.join(dupes)}; import one")
    result.submissions.sort(key=lambda s: s.id)
    return result


def _object(data: Any, path: Path, keys: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise UserError(f"'{path}' is not a {what}: expected a JSON object, got {type(data).__name__}")
    missing = [k for k in keys if k not in data]
    if missing:
        raise UserError(f"'{path}' is not a {what}: no {', '.join(repr(k) for k in missing)} "
                        f"(has {quote(', '.join(map(str, list(data)[:10])), 120) if data else 'nothing'})")
    return data


def _text(d: dict[str, Any], key: str, path: Path) -> str:
    v = d.get(key)
    if not isinstance(v, str) or not v:
        raise UserError(f"'{path}': parameters.{key} must be non-empty text, got {quote(v, 60)}")
    return v


def load_artifact(path: Path) -> ImportResult:
    """One per-model artifact file: one Submission."""
    what = "JailbreakBench artifact file"
    data = _object(read_data(path), path, ("parameters", "jailbreaks"), what)
    p = _object(data["parameters"], path, ("method", "model", "attack_type"), f"{what} ('parameters')")
    rows = data["jailbreaks"]
    if not isinstance(rows, list) or not rows:
        raise UserError(f"'{path}': 'jailbreaks' must be a non-empty list of rows")
    method, model, attack_type = (_text(p, k, path) for k in ("method", "model", "attack_type"))
    in_layout = path.parent.name == attack_type and path.stem == model
    rec = Record(attack=path.parent.parent.name if in_layout else method, method=method,
                 attack_type=attack_type, model=model, date=p.get("evaluation_date"),
                 provider=p.get("evaluation_llm_provider"), rows=rows, source=str(path), summary=p,
                 method_parameters=p.get("method_parameters") or {})
    sub, warnings = build(rec)
    return ImportResult([sub], warnings)


def _attack_types(folder: Path) -> dict[str, list[str]]:
    info = folder / ATTACK_INFO
    if not info.is_file():
        return {}
    data = read_data(info)
    models = data.get("models") if isinstance(data, dict) else None
    return {m: list(t) for m, t in models.items()} if isinstance(models, dict) else {}


def _stamps(logs: Any) -> dict[str, str]:
    """behaviour -> timestamp of its last evaluation log entry (``[[{timestamp}, [...]], ...]``)."""
    out: dict[str, str] = {}
    for behavior, entries in (logs or {}).items():
        if isinstance(entries, list) and entries and isinstance(entries[-1], list) and entries[-1]:
            head = entries[-1][0]
            if isinstance(head, dict) and isinstance(head.get("timestamp"), str):
                out[behavior] = head["timestamp"]
    return out


def load_submission(folder: Path) -> ImportResult:
    """The raw submission format: ``submission.json`` and ``evaluation.json`` in ``folder``."""
    sub_path, eval_path = folder / SUBMISSION, folder / EVALUATION
    data = _object(read_data(sub_path), sub_path, ("summaries",), "JailbreakBench submission file")
    evaluation: dict[str, Any] = {}
    result = ImportResult()
    if eval_path.is_file():
        evaluation = _object(read_data(eval_path), eval_path, (), "JailbreakBench evaluation file")
    else:
        result.warnings.append(f"'{eval_path}' is missing: the verdicts in {SUBMISSION} are used")
    details = evaluation.get("details") or {}
    types = _attack_types(folder)
    for model, summary in sorted(data["summaries"].items()):
        summary = _object(summary, sub_path, ("jailbreaks",), f"submission summary for {model!r}")
        rows = summary["jailbreaks"]
        if not isinstance(rows, list) or not rows:
            raise UserError(f"'{sub_path}': summaries.{model}.jailbreaks must be a non-empty list of rows")
        known = types.get(model, [])
        attack_type = known[0] if len(known) == 1 else "submission"
        verdicts = {b: bool(v["jailbroken"]) for b, v in (evaluation.get(model) or {}).items()
                    if isinstance(v, dict) and v.get("jailbroken") is not None}
        rec = Record(attack=folder.name, method=folder.name, attack_type=attack_type, model=model,
                     date=details.get("evaluation_date"), provider=details.get("llm_provider"), rows=rows,
                     source=str(sub_path), summary=summary.get("model_summary") or {},
                     finished_at=_stamps((data.get("eval_logs") or {}).get(model)),
                     verdict_override=verdicts)
        if not rec.date:
            raise UserError(f"'{eval_path}': no details.evaluation_date; the raw format needs "
                            f"{EVALUATION} beside {SUBMISSION}")
        sub, warnings = build(rec)
        result.submissions.append(sub)
        result.warnings.extend(warnings)
        result.warnings.extend(_disagreements(sub.id, rows, evaluation.get(model) or {}))
        if attack_type == "submission":
            result.warnings.append(f"{sub.id}: the attack type is not in {ATTACK_INFO}; named 'submission'")
    return result


def _disagreements(sid: str, rows: list[Any], evaluated: dict[str, Any]) -> list[str]:
    """Where submission.json and evaluation.json disagree about one behaviour."""
    out: list[str] = []
    if not evaluated:
        return out
    for row in rows:
        behavior = row.get("behavior") if isinstance(row, dict) else None
        e = evaluated.get(behavior) if isinstance(behavior, str) else None
        if e is None:
            out.append(f"{sid}: {behavior!r} is not in {EVALUATION}")
            continue
        for key in ("prompt", "response", "jailbroken"):
            if key in e and e[key] != row.get(key):
                out.append(f"{sid}: {behavior!r}: {key} differs between {SUBMISSION} and "
                           f"{EVALUATION}; {EVALUATION} is used for the verdict")
    return out
