"""garak ``report.jsonl`` files (https://reference.garak.ai) as jailscale evidence.

One Submission per probe (a probe is one jailbreak technique) on the run's target. garak writes
each attempt twice, once when it is sent (``status`` 1) and again once detectors have scored it
(``status`` 2): attempts are de-duplicated by their ``uuid``, keeping the latest status. Each of an
attempt's outputs (``generations``) is one transcript; each detector's score on that output is a
recorded verdict named ``garak/<detector>``: a score at or above the run's ``eval_threshold``
(garak's default 0.5) is a hit, which garak counts as a failure of the model (it complied), below
it a pass (refused), a missing score unscoreable. garak sends only the attack prompts, never the
plain request, so there is no baseline condition: the importer says so and the score is withheld
with its range. The probe's tags (``owasp:llm01``, ``avid-effect:security:S0403``...) are kept as
behaviour tags, and the attempt's intent as its category.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Message, Submission, Technique, Transcript, Verdict
from ..formats.io import validate
from ._base import ImportOptions, ImportResult
from ._common import (
    MAX_TRANSCRIPTS,
    build_suite,
    check_size,
    items,
    no_baseline_warning,
    note,
    number_samples,
    obj,
    quote,
    safe_id,
    text_of,
    tier_of,
)

#: garak's default detector threshold (``run.eval_threshold``), used when the report does not say.
DEFAULT_THRESHOLD = 0.5
SOURCE_URL = "https://github.com/NVIDIA/garak"


def detect(path: Path, head: bytes) -> bool:
    return b'"entry_type"' in head[:2048]


def _lines(path: Path) -> list[dict[str, Any]]:
    check_size(path)
    out = []
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise UserError(f"'{path}' line {n} is not a JSON object: {e}") from None
            if isinstance(d, dict) and d.get("data_type") == "AVID":
                raise UserError(f"'{path}' is garak's AVID export (garak --report), which keeps no attempts; "
                                "import the report.jsonl garak wrote for the run instead")
            if not isinstance(d, dict) or "entry_type" not in d:
                raise UserError(f"'{path}' line {n} has no entry_type: not a garak report.jsonl")
            out.append(d)
    return out


def _turn_text(turn: Any, where: str) -> tuple[str, str] | None:
    if not isinstance(turn, dict):
        return None
    content = turn.get("content")
    text = content.get("text") if isinstance(content, dict) else content
    if text is None:
        return None
    return str(turn.get("role") or "user"), text_of(text, where)


def _prompt(attempt: dict[str, Any], where: str) -> list[Message]:
    p = attempt.get("prompt")
    turns = p.get("turns") if isinstance(p, dict) else None
    if isinstance(p, str):
        return [Message(role="user", content=text_of(p, where))]
    out = []
    for t in turns or []:
        rt = _turn_text(t, where)
        if rt and rt[0] in ("system", "user", "assistant"):
            out.append(Message(role=rt[0], content=rt[1]))
    return out


def _output(o: Any, where: str) -> str | None:
    if o is None:
        return None
    if isinstance(o, dict):
        t = o.get("text")
        return None if t is None else text_of(t, where)
    return text_of(o, where)


def load(path: Path, options: ImportOptions) -> ImportResult:
    """Import a garak ``report.jsonl``."""
    path = Path(path)
    if path.is_dir():
        found = sorted(path.rglob("*.report.jsonl"))
        if not found:
            raise UserError(f"'{path}' holds no garak *.report.jsonl files")
        result = ImportResult()
        for f in found:
            result.extend(load(f, options))
        return result
    if options.complied_when:
        raise UserError("garak's detectors say themselves what a hit is (score >= eval_threshold); "
                        "--complied-when does not apply to garak reports")
    rows = _lines(path)
    setup = next((r for r in rows if r["entry_type"] == "start_run setup"), {})
    init = next((r for r in rows if r["entry_type"] == "init"), {})
    if not init and not setup:
        raise UserError(f"'{path}' has no 'init' or 'start_run setup' entry: not a garak report.jsonl")
    version = str(init.get("garak_version") or setup.get("_config.version") or "unknown")
    threshold = setup.get("run.eval_threshold", DEFAULT_THRESHOLD)
    if not isinstance(threshold, int | float):
        threshold = DEFAULT_THRESHOLD
    target = str(setup.get("plugins.target_name") or setup.get("plugins.model_name") or "")
    target_type = str(setup.get("plugins.target_type") or setup.get("plugins.model_type") or "")
    if not target:
        raise UserError(f"'{path}': the report names no target (plugins.target_name)")
    model = f"{target_type}/{target}" if target_type else target
    started = str(init.get("start_time") or setup.get("transient.starttime_iso") or "")
    tags = _probe_tags(rows)
    attempts: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["entry_type"] != "attempt":
            continue
        uid = r.get("uuid")
        if not isinstance(uid, str) or not uid:
            raise UserError(f"'{path}': an attempt has no uuid; cannot de-duplicate")
        old = attempts.get(uid)
        if old is None or int(r.get("status") or 0) >= int(old.get("status") or 0):
            attempts[uid] = r
    if not attempts:
        raise UserError(f"'{path}' holds no attempts")
    by_probe: dict[str, list[dict[str, Any]]] = {}
    for a in attempts.values():
        by_probe.setdefault(str(a.get("probe_classname") or "unknown"), []).append(a)
    result = ImportResult()
    duplicates = sum(1 for r in rows if r["entry_type"] == "attempt") - len(attempts)
    for probe, group in sorted(by_probe.items()):
        result.extend(_submission(path, probe, group, options, model, version, float(threshold), started,
                                  tags.get(probe, [])))
    if duplicates:
        result.warnings.append(f"'{path}': {duplicates} repeated attempt record(s) (garak writes each attempt "
                               "when sent and again when scored) were merged by uuid")
    return result


def _probe_tags(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in rows:
        if r["entry_type"] == "plugin_cache":
            for name, info in ((r.get("plugin_cache") or {}).get("probes") or {}).items():
                if isinstance(info, dict) and isinstance(info.get("tags"), list):
                    out[str(name).removeprefix("probes.")] = [str(t) for t in info["tags"]][:50]
        if r["entry_type"] == "digest":
            for group in (r.get("eval") or {}).values():
                for probe, info in (group or {}).items() if isinstance(group, dict) else ():
                    s = info.get("_summary") if isinstance(info, dict) else None
                    if isinstance(s, dict) and isinstance(s.get("probe_tags"), list):
                        out.setdefault(probe, [str(t) for t in s["probe_tags"]][:50])
    return out


def _submission(path: Path, probe: str, attempts: list[dict[str, Any]], options: ImportOptions, model: str,
                version: str, threshold: float, started: str, tags: list[str]) -> ImportResult:
    where = f"'{path}' probe {quote(probe)}"
    behaviours: dict[str, dict[str, Any]] = {}
    evidence: list[Transcript] = []
    unscored = 0
    for a in sorted(attempts, key=lambda a: (int(a.get("seq") or 0), str(a.get("uuid")))):
        aw = f"{where} attempt {quote(a.get('uuid'))}"
        bid = safe_id(f"{probe}.{a.get('seq', 0)}")
        prompt = _prompt(a, aw)
        intent = a.get("intent")
        behaviours[bid] = {"request": next((m.content for m in prompt if m.role == "user"), "") or bid,
                           "category": options.category or str(intent or a.get("goal") or probe)[:200],
                           "tier": tier_of(None, options, where), "tags": [f"garak:probe:{probe}", *tags]}
        outputs = items(a.get("outputs"))
        results = obj(a.get("detector_results"))
        if not results:
            unscored += 1
        for i, o in enumerate(outputs):
            response = _output(o, f"{aw} outputs[{i}]")
            verdicts = []
            for det, scores in sorted(results.items()):
                score = scores[i] if isinstance(scores, list) and i < len(scores) else None
                if score is None or not isinstance(score, int | float):
                    label, why = "unscoreable", f"{det} recorded no score for this output"
                else:
                    label = "complied" if score >= threshold else "refused"
                    hit = "hit" if label == "complied" else "pass"
                    why = f"{det} score {score:g} ({hit} at threshold {threshold:g})"
                verdicts.append(Verdict(judge=f"garak/{det}", judge_version=version, label=label,
                                        rationale=note(why)))
            evidence.append(validate(Transcript, {
                "behaviour": bid, "condition": "jailbreak", "sample": i, "model": model, "prompt": prompt,
                "response": response, "error": None if response is not None else "garak recorded no output",
                "verdicts": verdicts}, aw))
            if len(evidence) > MAX_TRANSCRIPTS:
                raise UserError(f"{where}: over {MAX_TRANSCRIPTS} transcripts")
    if not evidence:
        raise UserError(f"{where}: no attempt has outputs")
    evidence = number_samples(evidence)
    sid = safe_id(f"garak.{probe}.{model}")
    day = started[:10] if started[:4].isdigit() else dt.date.today().isoformat()
    sub = validate(Submission, {
        "id": sid, "title": f"garak probe {probe} on {model}", "assessed_on": day,
        "technique": Technique(kind="opaque", name=f"garak {probe}", public_reference=SOURCE_URL,
                               description=f"garak {version} probe {probe}; the prompts are in the evidence. "
                                           f"Tags: {', '.join(tags) or 'none'}."),
        "target": {"model": model}, "suite": f"{sid}.suite.json", "evidence": evidence}, where)
    suite = build_suite(f"garak-{safe_id(probe)}", f"garak report {path.name}, probe {probe}", behaviours)
    warnings = [no_baseline_warning(sid, "garak")]
    if unscored:
        warnings.append(f"{sid}: {unscored} attempt(s) carry no detector results (the run stopped before "
                        "scoring them?): their transcripts have no recorded verdict")
    return ImportResult([sub], warnings, {sid: suite})
