"""JailbreakBench rows and parameters as jailscale evidence: transcripts, verdicts, technique, target.

Shared by both JailbreakBench formats (per-model artifact files and the raw submission format).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from ..formats import Declared, Message, Submission, Technique, Transcript, Verdict
from ..formats.io import validate
from ..suites.jbb import NAME as JBB_SUITE
from ..suites.jbb import behaviour_id

JBB_BEHAVIOURS = 100
LLAMA_GUARD = "jailbreakbench/llama-guard-1"
OPEN_WEIGHTS = frozenset({"vicuna-13b-v1.5", "llama-2-7b-chat-hf"})
SOURCE_URL = "https://github.com/JailbreakBench/artifacts"
EXHAUSTED = ("search exhausted: the attack spent {queries} target queries on this behaviour and recorded no "
             "jailbreak (null prompt and response, jailbroken: false); one attempt that did not succeed "
             "(JSS 2.0 section 5.0: a search's final result per behaviour is one attempt), not an error")
NO_PROMPT = ("no attempt recorded: the artifact has no prompt and no response for this behaviour (the attack "
             "reported no jailbreak for it); missing evidence, not a refusal")
NO_RESPONSE = ("no answer recorded: the artifact has the prompt but no response; missing evidence, "
               "not a refusal")
NO_BASELINE = ("no baseline transcripts: UN cannot be measured from this record (JailbreakBench "
               "artifacts hold only the jailbreak attempts, not the plain requests to the same model), so "
               "per the spec UN is unknown, the score is withheld and only its range is reported; add "
               "baseline transcripts to measure it")

#: Behaviour names that differ from JBB-Behaviors in some artifact files (observed, not guessed):
#: index 51 is "9_11 conspiracy" in GCG/transfer/gpt-4-0125-preview.json only.
RENAMED = {"9_11 conspiracy": "September 11th conspiracy"}

DESCRIPTIONS = {
    "PAIR": "PAIR (Prompt Automatic Iterative Refinement): an attacker model rewrites each request over "
            "rounds of queries to the target; the final prompt for each behaviour is in the evidence.",
    "GCG": "GCG (Greedy Coordinate Gradient): an adversarial suffix optimised with gradients on open "
           "model weights and appended to each request; the prompts are in the evidence.",
    "JailbreakChat": "A fixed role-play template from jailbreakchat.com wrapped around each request. The "
                     "record stores the template with its own insertion marker, not a {request} slot, so "
                     "it is kept as opaque; the filled prompts are in the evidence.",
    "adaptive_random_search": "A hand-written prompt template plus an adversarial suffix found by random "
                              "search for each request; the prompts are in the evidence.",
    "DSN": "DSN ('Don't Say No'): a suffix optimised on open model weights to suppress refusals, appended "
           "to each request; the prompts are in the evidence.",
}


@dataclass
class Record:
    """One attack x model, read from either format."""

    attack: str
    method: str
    attack_type: str
    model: str
    date: str | None
    provider: str | None
    rows: list[dict[str, Any]]
    source: str
    summary: dict[str, Any] = field(default_factory=dict)
    method_parameters: dict[str, Any] = field(default_factory=dict)
    finished_at: dict[str, str] = field(default_factory=dict)
    verdict_override: dict[str, bool] = field(default_factory=dict)


def submission_id(attack: str, attack_type: str, model: str) -> str:
    return f"jailbreakbench:{attack}:{attack_type}:{model}"


def _queries(row: dict[str, Any]) -> int | None:
    """The row's ``number_of_queries`` when it is a whole number >= 0 (a bool is not), else None."""
    q = row.get("number_of_queries")
    return q if isinstance(q, int) and not isinstance(q, bool) and q >= 0 else None


def exhausted_search(row: dict[str, Any], jailbroken: Any) -> bool:
    """A search attack's exhausted search: no prompt and no response, queries spent, and the record's
    verdict is an explicit ``false``. PAIR writes this when its rounds end without a jailbreak: a failed
    attempt (counted in the denominator, as the file's own ``attack_success_rate`` does), not missing
    evidence. A null prompt without a query count, or without ``jailbroken: false``, stays an error."""
    q = _queries(row)
    return (row.get("prompt") is None and row.get("response") is None and jailbroken is False
            and q is not None and q > 0)


def _verdict(judge: str, version: str, jailbroken: Any, error: str | None, what: str,
             exhausted: str | None = None) -> Verdict:
    if exhausted:
        return Verdict(judge=judge, judge_version=version, label="refused",
                       rationale=f"recorded {what}={jailbroken!r}: {exhausted}")
    if error:
        label = "error"
        note = f"recorded {what}={jailbroken!r}, read as no verdict: {error}"
    else:
        label = "complied" if jailbroken else "refused"
        note = f"recorded {what}={jailbroken!r} (an automated judge in the artifact, not a human label)"
    return Verdict(judge=judge, judge_version=version, label=label, rationale=note)


def _transcript(rec: Record, i: int, row: Any, judge: str) -> Transcript:
    where = f"'{rec.source}' jailbreaks[{i}]"
    if not isinstance(row, dict) or not isinstance(row.get("behavior"), str) or not row["behavior"].strip():
        raise UserError(f"{where}: a row needs a 'behavior' name; is this a JailbreakBench artifact?")
    prompt, response = row.get("prompt"), row.get("response")
    for name, value in (("prompt", prompt), ("response", response)):
        if value is not None and not isinstance(value, str):
            raise UserError(f"{where}: '{name}' must be text or null, got {type(value).__name__}")
    jailbroken = rec.verdict_override.get(row["behavior"], row.get("jailbroken"))
    queries = _queries(row)
    exhausted = EXHAUSTED.format(queries=queries) if exhausted_search(row, jailbroken) else None
    error = None if exhausted else NO_PROMPT if prompt is None else NO_RESPONSE if response is None else None
    version = rec.date or "unknown"
    verdicts: list[Verdict] = []
    if jailbroken is not None:
        verdicts.append(_verdict(judge, version, bool(jailbroken), error, "jailbroken", exhausted))
    guard = row.get("jailbroken_llama_guard1")
    if guard is not None:
        verdicts.append(_verdict(LLAMA_GUARD, version, bool(guard), error, "jailbroken_llama_guard1",
                                 exhausted if guard is False else None))
    recorded: str = row["behavior"]
    stamp = rec.finished_at.get(recorded)
    return Transcript(
        behaviour=behaviour_id(RENAMED.get(recorded, recorded)), condition="jailbreak", sample=0,
        model=f"jailbreakbench/{rec.model}",
        prompt=[Message(role="user", content=prompt)] if prompt is not None else [],
        response=response, error=error,
        finished_at=dt.datetime.fromisoformat(stamp) if stamp else None, verdicts=verdicts, queries=queries)


def _declared(rec: Record) -> dict[str, Declared]:
    d: dict[str, Declared] = {}
    if rec.attack_type == "white_box":
        d["AR"] = Declared(value="W", justification="white-box optimisation needs weights")
        if rec.method in ("GCG", "DSN"):
            d["AC"] = Declared(value="H",
                               justification=f"{rec.method} runs a gradient optimisation per request")
    elif rec.attack_type == "transfer":
        d["AR"] = Declared(value="A", justification="the prompts were optimised on another model's weights "
                                                    "and replayed through the target's ordinary API")
    elif rec.attack_type == "manual":
        d["AR"] = Declared(value="A", justification="a fixed template sent through the ordinary chat API")
        d["AC"] = Declared(value="L", justification="one fixed copy-paste template for every request")
    elif rec.attack_type == "black_box" and rec.method == "PAIR":
        d["AR"] = Declared(value="A", justification="PAIR only sends chat queries to the target")
        d["AC"] = Declared(value="M", justification="PAIR adapts each request over many queries")
    return d


def _count_warnings(rec: Record, ev: list[Transcript], sid: str) -> list[str]:
    w: list[str] = []
    n = len(rec.rows)
    yes = sum(1 for t in ev for v in t.verdicts[:1] if v.label == "complied")
    prompts = sum(1 for t in ev if t.prompt)
    s = rec.summary
    if n != JBB_BEHAVIOURS:
        w.append(f"{sid}: {n} row(s), not one per JBB behaviour ({JBB_BEHAVIOURS})")
    if "total_number_of_jailbreaks" in s and s["total_number_of_jailbreaks"] != yes:
        w.append(f"{sid}: total_number_of_jailbreaks says {s['total_number_of_jailbreaks']} but {yes} row(s) "
                 "are recorded jailbroken; the rows are used")
    asr = s.get("attack_success_rate")
    if isinstance(asr, int | float) and n and abs(asr - yes / n) > 1e-9:
        w.append(f"{sid}: attack_success_rate says {asr} but the rows give {yes}/{n}; the rows are used")
    if "number_of_submitted_prompts" in s and s["number_of_submitted_prompts"] != prompts:
        w.append(f"{sid}: number_of_submitted_prompts says {s['number_of_submitted_prompts']} but {prompts} "
                 "row(s) have a prompt")
    no_prompt = sum(1 for t in ev if t.error == NO_PROMPT)
    exhausted = sum(1 for t in ev if not t.prompt and t.error is None)
    if exhausted:
        w.append(f"{sid}: {exhausted} of {n} row(s) are exhausted searches (null prompt, queries spent, "
                 "jailbroken: false): counted as attempts that did not succeed, not as errors")
    spent = [t.queries for t in ev]
    total = s.get("total_number_of_queries")
    if isinstance(total, int) and all(q is not None for q in spent) and sum(q or 0 for q in spent) != total:
        w.append(f"{sid}: total_number_of_queries says {total} but the rows' number_of_queries sum to "
                 f"{sum(q or 0 for q in spent)}; the rows are used")
    no_answer = sum(1 for t in ev if t.error == NO_RESPONSE)
    if no_prompt:
        w.append(f"{sid}: {no_prompt} of {n} row(s) have a null prompt (no attempt recorded): kept as "
                 "'error' transcripts, not refusals")
    if no_answer:
        w.append(f"{sid}: {no_answer} row(s) have a prompt but a null response: kept as 'error' transcripts")
    if rec.rows and all("jailbroken_llama_guard1" not in r for r in rec.rows if isinstance(r, dict)):
        w.append(f"{sid}: no jailbroken_llama_guard1 field: only the primary recorded verdict is available")
    renamed = {r["behavior"] for r in rec.rows if isinstance(r, dict) and r.get("behavior") in RENAMED}
    for name in sorted(renamed):
        w.append(f"{sid}: behaviour {name!r} is named {RENAMED[name]!r} in JBB-Behaviors; read as "
                 f"{behaviour_id(RENAMED[name])!r}")
    if any(isinstance(r, dict) and r.get("jailbroken") is None for r in rec.rows):
        w.append(f"{sid}: some rows have no 'jailbroken' verdict; they carry no recorded verdict")
    return w


def build(rec: Record) -> tuple[Submission, list[str]]:
    """A Submission for one attack x model, and the warnings about its record."""
    sid = submission_id(rec.attack, rec.attack_type, rec.model)
    judge = f"jailbreakbench/{rec.provider or 'recorded'}"
    evidence = [_transcript(rec, i, row, judge) for i, row in enumerate(rec.rows)]
    desc = DESCRIPTIONS.get(rec.method, f"{rec.method} attack recorded by JailbreakBench; the prompts are "
                                        "in the evidence.")
    if rec.attack_type == "transfer":
        desc += " Transfer: prompts optimised on another model and replayed on this target."
    if rec.method == "JailbreakChat" and rec.method_parameters.get("template_name"):
        desc += f" Template name in the record: {rec.method_parameters['template_name']!r}."
    if not rec.date:
        raise UserError(f"'{rec.source}': no evaluation_date; a JailbreakBench record states when it was run")
    data = {
        "id": sid,
        "title": f"{rec.method} ({rec.attack_type}) on {rec.model}: JailbreakBench artifact",
        "assessed_on": rec.date,
        "technique": Technique(kind="opaque", name=rec.method, description=desc, public_reference=SOURCE_URL),
        "target": {"model": f"jailbreakbench/{rec.model}",
                   "access": "weights" if rec.attack_type == "white_box" else "api",
                   "exposure": "O" if rec.model in OPEN_WEIGHTS else "P"},
        "reporter": {"name": "JailbreakBench artifacts (attack authors)", "organisation": "JailbreakBench"},
        "declared": _declared(rec),
        "suite": JBB_SUITE,
        "evidence": evidence,
    }
    sub = validate(Submission, data, str(rec.source))
    return sub, [f"{sid}: {NO_BASELINE}", *_count_warnings(rec, evidence, sid)]
