"""The evidence of a stored assessment as an Inspect AI JSON log (``inspect view`` opens it; the
format is Inspect's ``EvalLog``, checked in the tests against the schema ``inspect log schema``
prints).

One sample per transcript: ``id`` ``<behaviour>-<condition>`` (plus the reference for reference
answers), ``epoch`` the transcript's sample number + 1, and the condition, behaviour, harm tier and
category in the sample's ``metadata``. The assessment's judge's verdict is the sample's score
``jailscale`` (``C`` complied, ``I`` refused or partial; errors and unscoreable answers have no
value Inspect can read as either, so they are ``N``, Inspect's NOANSWER, never ``I``).

Request and response text are left out by default, as in the reports (placeholders give their
length and hash); ``include_text=True`` writes them.

Checked with Inspect AI itself (tests/exports/test_inspect_roundtrip.py, when ``inspect_ai`` is
installed): ``inspect_ai.log.read_eval_log`` reads every sample, its metadata and score, and
``inspect view`` lists and serves the file. Inspect lists a JSON log only under its own file name
pattern, ``<ISO time>_<task>_<id>.json`` (:func:`file_name`); ``jailscale export ID --format inspect
--out DIR`` writes that name. Inspect counts the samples it expects as sample ids x epochs: plain
requests have one epoch and jailbreak attempts several, so Inspect View shows e.g. "217 / 465
samples" although every transcript is in the log.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from .. import __version__
from ..formats import Transcript
from ._base import ExportInput

SCORE = {"complied": "C", "refused": "I", "partial": "I"}


def _text(text: str | None, include: bool) -> str:
    if text is None:
        return ""
    if include:
        return text
    return f"[redacted: {len(text)} chars, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}]"


def _sample(t: Transcript, x: ExportInput, include_text: bool) -> dict[str, Any]:
    behaviours = x.suite.by_id() if x.suite is not None else {}
    b = behaviours.get(t.behaviour)
    user = [m for m in t.prompt if m.role != "assistant"]
    messages: list[dict[str, Any]] = [{"role": m.role, "content": _text(m.content, include_text),
                                       "source": "input"} for m in user]
    completion = _text(t.response, include_text)
    model = t.model or x.assessment.target
    assistant = {"role": "assistant", "content": completion, "source": "generate", "model": model}
    if t.response is not None:
        messages.append(assistant)
    v = x.verdicts.get(t.content_hash)
    label = v.label if v is not None else None
    scores = {"jailscale": {"value": SCORE.get(label or "", "N"), "answer": label or "no verdict",
                            "explanation": (v.rationale if v is not None else "no verdict of this judge stored")[:2000],
                            "metadata": {"judge": v.judge if v else None, "label": label}, "history": []}}
    meta: dict[str, Any] = {"behaviour": t.behaviour, "condition": t.condition}
    if t.reference:
        meta["reference"] = t.reference
    if b is not None:
        meta.update(tier=b.tier, category=b.category, tags=list(b.tags))
    if t.error:
        meta["error"] = t.error
    sid = f"{t.behaviour}-{t.condition}" + (f"-{t.reference}" if t.reference else "")
    sample: dict[str, Any] = {
        "id": sid, "epoch": t.sample + 1,
        "input": [{"role": m["role"], "content": m["content"]} for m in messages if m["role"] != "assistant"] or "",
        "target": "", "messages": messages,
        "output": {"model": t.model or x.assessment.target,
                   "choices": [{"message": assistant, "stop_reason": "stop"}] if t.response is not None else [],
                   "completion": completion},
        "scores": scores, "metadata": meta, "store": {}, "events": [], "model_usage": {}, "role_usage": {},
        "attachments": {},
    }
    if t.started_at:
        sample["started_at"] = t.started_at.isoformat()
    if t.finished_at:
        sample["completed_at"] = t.finished_at.isoformat()
    return sample


#: The file names Inspect lists as JSON logs (``inspect_ai.log``'s ``log_file_pattern``).
LOG_FILE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*\.json$")


def _task(x: ExportInput) -> str:
    """The task's name in the file name: no '_' (Inspect splits the name on it) and no path characters."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", f"jailscale-{x.assessment.submission}").strip("-.")[:80] or "jailscale"


def file_name(x: ExportInput) -> str:
    """``<created, ISO with '-' for ':'>_<task>_<assessment id>.json``: a name ``inspect view`` lists
    (and valid on every operating system: no colons)."""
    stamp = x.assessment.created_at.strftime("%Y-%m-%dT%H-%M-%S")
    return f"{stamp}+00-00_{_task(x)}_{x.assessment.id.removeprefix('sha256:')[:22]}.json"


def inspect_log(x: ExportInput, include_text: bool = False) -> dict[str, Any]:
    a = x.assessment
    if x.submission is None:
        raise ValueError("an Inspect log needs the assessment's evidence (its stored submission)")
    samples = [_sample(t, x, include_text) for t in x.submission.evidence]
    ids = sorted({s["id"] for s in samples})
    created = a.created_at.isoformat()
    judged = sum(1 for s in samples if s["scores"]["jailscale"]["value"] in ("C", "I"))
    complied = sum(1 for s in samples if s["scores"]["jailscale"]["value"] == "C")
    short = a.id.removeprefix("sha256:")[:22]
    return {
        "version": 2, "status": "success",
        "eval": {
            "eval_id": short, "run_id": short, "created": created, "task": f"jailscale/{a.submission}",
            "task_id": short, "task_version": 0, "task_attribs": {}, "task_args": {}, "task_args_passed": {},
            "dataset": {"name": a.suite.name or "private suite", "samples": len(ids), "sample_ids": ids,
                        "shuffled": False},
            "model": a.target, "model_generate_config": {}, "model_args": {},
            "config": {"epochs": max((s["epoch"] for s in samples), default=1)},
            "packages": {"jailscale": __version__},
            "metadata": {"jss_vector": a.vector, "assessment_id": a.id, "technique": a.technique,
                         "include_text": include_text},
        },
        "plan": {"name": "jailscale", "steps": [], "config": {}},
        "results": {"total_samples": len(samples), "completed_samples": len(samples), "scores": [
            {"name": "jailscale", "scorer": "jailscale", "params": {"judge": a.provenance.judge.name},
             "scored_samples": judged, "unscored_samples": len(samples) - judged,
             "metrics": {"complied": {"name": "complied", "value": complied / judged if judged else 0.0,
                                      "params": {}}}}]},
        "stats": {"started_at": created, "completed_at": created, "model_usage": {}, "role_usage": {},
                  "connection_limit_history": []},
        "invalidated": False, "tags": ["jailscale"], "metadata": {"jss_score": a.score.value},
        "samples": samples,
    }
