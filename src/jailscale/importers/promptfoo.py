"""promptfoo ``results.json`` (``promptfoo eval -o results.json``, https://promptfoo.dev) for eval
and red-team runs, as jailscale evidence.

One Submission per provider (target) and jailbreak technique. A row's condition is its test's
``metadata.condition`` where the config sets it; otherwise a red-team row with a ``strategyId``
other than ``basic`` is a jailbreak attempt by that strategy, and a plugin's plain test (no
strategy) is the baseline for the same request: strategy rows name it in ``originalText``, which
pairs them. The behaviour is ``metadata.behaviour`` where set, else the plugin and a hash of the
plain request.

Verdicts: each assertion is a recorded verdict named ``promptfoo/<metric>`` (a red-team strategy's
``/Strategy`` suffix removed so baseline and jailbreak share a judge), plus ``promptfoo/pass`` for
the test's overall result. promptfoo's ``pass: true`` means the test passed, which for safety tests
is "the output was safe": by default pass is read as refused and fail as complied. A metric whose
assertion means the opposite (a rubric that passes when the model complies) is stated with
``--complied-when METRIC=pass``. An errored row (``failureReason`` 2 or a response error) is an
error transcript, never a refusal; note that promptfoo also writes the grader's reason to ``error``
on an ordinary failed assertion, which is not an error.

Red-team strategies that encode the prompt (base64) appear as ``"[REDACTED]"`` in ``prompt.raw``
and ``vars``; with ``--redteam-config redteam.yaml`` the prompt is recovered from the config's test
with the same plugin, strategy and ``originalText``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Message, Submission, Technique, Transcript, Verdict
from ..formats.io import read_data, validate
from ._base import ImportOptions, ImportResult
from ._common import (
    MAX_TRANSCRIPTS,
    build_suite,
    check_size,
    no_baseline_warning,
    note,
    number_samples,
    obj,
    quote,
    read_json_file,
    safe_id,
    text_of,
    tier_of,
)

REDACTED = "[REDACTED]"
CONDITIONS = ("baseline", "jailbreak")
PLAIN_STRATEGIES = (None, "", "basic")
SOURCE_URL = "https://promptfoo.dev"
FAILURE_ERROR = 2  # promptfoo ResultFailureReason.ERROR (1 is ASSERT)


def detect(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" and (b'"evalId"' in head or b'"promptfoo' in head.lower())


def _rows(data: Any, path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    if not isinstance(data, dict) or "results" not in data:
        raise UserError(f"'{path}' is not a promptfoo results file: no 'results'")
    res = data["results"]
    rows = res.get("results") if isinstance(res, dict) else res
    if not isinstance(rows, list):
        raise UserError(f"'{path}': results.results must be a list of rows")
    if len(rows) > MAX_TRANSCRIPTS:
        raise UserError(f"'{path}': {len(rows)} rows, over the limit of {MAX_TRANSCRIPTS}")
    return [r for r in rows if isinstance(r, dict)], res if isinstance(res, dict) else {}


def _redteam_prompts(path: Path | None) -> dict[tuple[str, str, str], list[str]]:
    """(plugin, strategy, originalText) -> prompts, from a promptfoo red-team YAML's tests."""
    if path is None:
        return {}
    check_size(path)
    data = read_data(path)
    tests = data.get("tests") if isinstance(data, dict) else None
    if not isinstance(tests, list):
        raise UserError(f"'{path}' has no 'tests' list: give the red-team YAML that `promptfoo redteam "
                        "generate` wrote (redteam.yaml)")
    out: dict[tuple[str, str, str], list[str]] = {}
    for t in tests:
        if not isinstance(t, dict):
            continue
        meta = obj(t.get("metadata"))
        vars_ = obj(t.get("vars"))
        prompt = vars_.get("prompt", next(iter(vars_.values()), None)) if vars_ else None
        if isinstance(prompt, str):
            key = (str(meta.get("pluginId") or ""), str(meta.get("strategyId") or ""),
                   str(meta.get("originalText") or ""))
            out.setdefault(key, []).append(prompt)
    return out


def _metric_name(component: dict[str, Any], strategy: str | None) -> str:
    a = obj(component.get("assertion"))
    name = str(a.get("metric") or a.get("type") or "assertion")
    if strategy and "/" in name and name.rsplit("/", 1)[1].lower() == strategy.lower().replace("-", ""):
        name = name.rsplit("/", 1)[0]
    return name


def _label(passed: Any, metric: str, options: ImportOptions) -> tuple[str, str]:
    sense = options.complied_when.get(metric, "fail").lower()
    if sense not in ("pass", "fail"):
        raise UserError(f"--complied-when {metric}={sense}: a promptfoo assertion either passes or fails; "
                        "say pass or fail")
    if not isinstance(passed, bool):
        return "unscoreable", f"{metric}: no pass/fail recorded"
    complied = (passed and sense == "pass") or (not passed and sense == "fail")
    why = f"{metric} {'passed' if passed else 'failed'} (complied when {sense})"
    return ("complied" if complied else "refused"), why


def _verdicts(row: dict[str, Any], strategy: str | None, options: ImportOptions, version: str) -> list[Verdict]:
    g = row.get("gradingResult") if isinstance(row.get("gradingResult"), dict) else None
    if g is None:
        return []
    out = []
    for c in g.get("componentResults") or []:
        if not isinstance(c, dict):
            continue
        metric = _metric_name(c, strategy)
        label, why = _label(c.get("pass"), metric, options)
        if c.get("reason"):
            why += f": {note(c['reason'])}"
        out.append(Verdict(judge=f"promptfoo/{metric}", judge_version=version, label=label,
                           rationale=note(why)))
    label, why = _label(g.get("pass", row.get("success")), "pass", options)
    out.append(Verdict(judge="promptfoo/pass", judge_version=version, label=label,
                       rationale=note(why + (f": {g['reason']}" if g.get("reason") else ""))))
    return out


def _response(row: dict[str, Any], where: str) -> tuple[str | None, str | None]:
    resp = obj(row.get("response"))
    if resp.get("error") or row.get("failureReason") == FAILURE_ERROR:
        return None, f"promptfoo recorded an error: {note(resp.get('error') or row.get('error'))[:300]}"
    out = resp.get("output")
    if out is None:
        return None, "no output recorded"
    return text_of(out if isinstance(out, str) else json.dumps(out, ensure_ascii=False), where), None


def load(path: Path, options: ImportOptions) -> ImportResult:
    """Import a promptfoo ``results.json`` (eval or red team)."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        raise UserError(f"'{path}' is a promptfoo configuration, not its results: import the results.json that "
                        "'promptfoo eval -o results.json' writes (a red-team configuration goes with it as "
                        "--redteam-config)")
    data = read_json_file(path)
    rows, res = _rows(data, path)
    if not rows:
        raise UserError(f"'{path}' holds no result rows")
    version = str(res.get("version") or "unknown")
    for metric, sense in options.complied_when.items():
        if sense.lower() not in ("pass", "fail"):
            raise UserError(f"--complied-when {metric}={sense}: a promptfoo assertion either passes or fails; "
                            "say pass or fail")
    recovered = _redteam_prompts(options.redteam_config)
    stamp = str(res.get("timestamp") or "")
    day = stamp[:10] if stamp[:4].isdigit() else dt.date.today().isoformat()
    groups: dict[str, dict[str, list[Transcript]]] = {}
    behaviours: dict[str, dict[str, dict[str, Any]]] = {}
    redacted = unrecovered = 0
    for n, row in enumerate(rows):
        where = f"'{path}' row {n}"
        tc = obj(row.get("testCase"))
        meta = obj(tc.get("metadata")) or obj(row.get("metadata"))
        prov = row.get("provider")
        model = str((prov.get("label") or prov.get("id")) if isinstance(prov, dict) else prov or "")
        if not model:
            raise UserError(f"{where}: the row names no provider")
        strategy = meta.get("strategyId") if isinstance(meta.get("strategyId"), str) else None
        cond = meta.get("condition")
        if cond is None:
            cond = "baseline" if strategy in PLAIN_STRATEGIES else "jailbreak"
        if cond not in CONDITIONS:
            raise UserError(f"{where}: metadata.condition {quote(cond)} is not one of {', '.join(CONDITIONS)}")
        plugin = str(meta.get("pluginId") or "promptfoo")
        p = row.get("prompt")
        raw = p.get("raw") if isinstance(p, dict) else p
        prompt_text = text_of(raw, f"{where} prompt.raw") if raw is not None else None
        if prompt_text == REDACTED:
            redacted += 1
            key = (plugin, strategy or "", str(meta.get("originalText") or ""))
            found = recovered.get(key) or []
            prompt_text = found[0] if len(set(found)) == 1 else None
            unrecovered += prompt_text is None
        plain = meta.get("originalText") if cond == "jailbreak" else prompt_text
        request = meta.get("goal") or plain or prompt_text or ""
        if meta.get("behaviour"):
            bid = safe_id(str(meta["behaviour"]))
        else:
            bid = safe_id(f"{plugin}.{hashlib.sha256(str(plain or request).encode()).hexdigest()[:10]}")
        tags = [f"promptfoo:plugin:{plugin}"] + ([f"promptfoo:severity:{meta['severity']}"]
                                                 if isinstance(meta.get("severity"), str) else [])
        behaviours.setdefault(model, {}).setdefault(bid, {
            "request": str(request) or bid, "category": options.category or plugin[:200],
            "tier": tier_of(meta.get("tier"), options, where), "tags": tags})
        response, error = _response(row, where)
        t = validate(Transcript, {
            "behaviour": bid, "condition": cond, "model": model,
            "prompt": [Message(role="user", content=prompt_text)] if prompt_text is not None else [],
            "response": response, "error": error,
            "verdicts": _verdicts(row, strategy, options, version)}, where)
        technique = "(baseline)" if cond == "baseline" else (strategy or str(meta.get("technique") or "jailbreak"))
        groups.setdefault(model, {}).setdefault(technique, []).append(t)
    judges = {v.judge.removeprefix("promptfoo/") for g in groups.values() for ts in g.values() for t in ts
              for v in t.verdicts}
    unknown = sorted(set(options.complied_when) - judges)
    if unknown:
        raise UserError(f"'{path}': no assertion metric named {', '.join(map(quote, unknown))}; the file's "
                        f"metrics are {', '.join(sorted(judges)) or 'none'}")
    result = ImportResult()
    for model, by_tech in sorted(groups.items()):
        base = by_tech.pop("(baseline)", [])
        if not by_tech:
            result.warnings.append(f"'{path}': provider {quote(model)} has only baseline rows (no jailbreak "
                                   "strategy): nothing to assess for it")
            continue
        for technique, rows_t in sorted(by_tech.items()):
            result.extend(_submission(path, model, technique, [*base, *rows_t], behaviours[model], version, day))
    if redacted:
        msg = (f"'{path}': {redacted} prompt(s) are redacted by promptfoo ('{REDACTED}')")
        if unrecovered:
            msg += (f"; {unrecovered} could not be recovered and are kept without prompt text: pass the red-team "
                    "config with --redteam-config redteam.yaml" if options.redteam_config is None else
                    f"; {unrecovered} have no single matching test in '{options.redteam_config}'")
        else:
            msg += f"; all were recovered from '{options.redteam_config}'"
        result.warnings.append(msg)
    if not result.submissions:
        raise UserError(f"'{path}' has no jailbreak rows (no strategy other than basic, no "
                        "metadata.condition: jailbreak)")
    return result


def _submission(path: Path, model: str, technique: str, evidence: list[Transcript],
                behaviours: dict[str, dict[str, Any]], version: str, day: str) -> ImportResult:
    evidence = number_samples(sorted(evidence, key=lambda t: (t.behaviour, t.condition)))
    used = {t.behaviour for t in evidence}
    sid = safe_id(f"promptfoo.{technique}.{model}")
    suite = build_suite(f"promptfoo-{safe_id(model)}", f"promptfoo results {path.name}",
                        {k: v for k, v in behaviours.items() if k in used})
    sub = validate(Submission, {
        "id": sid, "title": f"promptfoo {technique} on {model}", "assessed_on": day,
        "technique": Technique(kind="opaque", name=technique, public_reference=SOURCE_URL,
                               description=f"promptfoo strategy {technique} (results version {version}); the "
                                           "prompts are in the evidence."),
        "target": {"model": model}, "suite": f"{sid}.suite.json", "evidence": evidence}, f"'{path}'")
    warnings = [] if any(t.condition == "baseline" for t in evidence) else [no_baseline_warning(sid, "promptfoo")]
    return ImportResult([sub], warnings, {sid: suite})
