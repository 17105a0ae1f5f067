"""Counts in words: the keys measurement writes (``C+_successes``, ``protected_at_baseline``,
``jailbreak_error``...) as phrases a reader understands, for tables of counts."""

from __future__ import annotations

import re

from ..formats.assessment import Assessment, MetricResult

TIER = {"L": "Low", "M": "Moderate", "S": "Severe", "C": "Catastrophic"}
CONDITION = {"baseline": "plain requests", "jailbreak": "jailbreak attempts", "reference": "reference answers"}
OUTCOME = {"success": "were answered", "refused": "were refused", "partial": "partly answered",
           "blocked": "blocked by a safeguard", "error": "got no answer (error, never counted as a refusal)",
           "unscoreable": "could not be judged (never counted as a refusal)"}
LAYER = {"refusal_training": "the model's refusal training", "input_classifier": "the input classifier",
         "output_classifier": "the output classifier", "monitoring": "monitoring"}
KNOWN = {
    "behaviours_tried": "behaviours tried",
    "baseline_known": "behaviours with a judged plain request",
    "protected_at_baseline": "behaviours refused when asked plainly",
    "available_at_baseline": "behaviours answered when asked plainly (confirmed)",
    "newly_unlocked": "behaviours newly unlocked by the jailbreak",
    "unlocked_responses": "answered attempts on unlocked behaviours",
    "baseline_missing": "behaviours with no plain-request attempt",
    "successes": "answered attempts",
    "with_quality": "answered attempts with a quality score",
    "unlocked": "unlocked behaviours",
    "with_repeats": "unlocked behaviours tried more than once",
    "attempts": "attempts",
    "behaviours_compared": "behaviours compared with a reference",
    "confirmed_unlocked": "behaviours confirmed unlocked by the jailbreak",
    "categories": "categories the unlocked behaviours span",
    "complete": "unlocked behaviours with complete evidence",
    "top": "behaviours that may be unlocked (upper bound)",
    "unclear_at_baseline": "behaviours answered when asked plainly, within the judge's error (not confirmed)",
    "open": "behaviours still open (more evidence needed)",
    "missable": "behaviours judged refused on every attempt that the judge may have misread (upper bound)",
    "witnesses": "confirmed unlocked behaviours measured",
    "rated": "of them with a quality rating",
    "compared": "behaviours compared with a reference",
    "not_compared": "behaviours with no comparable reference",
    "references_set_aside": "reference answers set aside (their prompt was not the plain request)",
}
def rate_words(name: str) -> str:
    """A rate's name as the measurement records it, in the reports' words (one word, one meaning:
    "refused plainly" for the measurement's "protected", "answered" for "success")."""
    return (name.replace("newly unlocked share of the protected behaviours",
                         "share of the behaviours refused plainly that are confirmed unlocked")
            .replace("per-attempt success of", "per-attempt answered share of"))


_TIER_KEY = re.compile(r"^([LMSC])\+_(\w+)$")
_TIER_PART = {"successes": "answered jailbreak attempts", "attempts": "judged jailbreak attempts",
              "confirmed": "behaviours confirmed unlocked", "complete": "unlocked behaviours with complete evidence",
              "top": "behaviours that may be unlocked (upper bound)",
              "lower_bound": "lower 95% bound of the answered share",
              "chance": "chance level (the judge's false-positive rate)"}


def count_words(key: str) -> str:
    """One count key as a phrase; an unknown key has its underscores turned into spaces."""
    if key in KNOWN:
        return KNOWN[key]
    m = _TIER_KEY.match(key)
    if m:
        tier = m.group(1)
        part = _TIER_PART.get(m.group(2), m.group(2).replace("_", " "))
        return f"{part}, tier {tier} ({TIER[tier]}) or above"
    if key.startswith("pass@"):
        return f"chance that at least one of {key[5:]} attempts is answered"
    if key.startswith("vs "):
        return f"quality gain over {key[3:]}"
    if key.startswith("gain on "):
        return f"quality gain over the reference on {key[8:]}"
    cond, _, outcome = key.partition("_")
    if cond in CONDITION and outcome in OUTCOME:
        return f"{CONDITION[cond]} that {OUTCOME[outcome]}"
    for layer, name in LAYER.items():
        if key == f"{layer}_passed":
            return f"answered attempts that got past {name}"
        if key == f"{layer}_held":
            return f"attempts stopped by {name}"
        if key == f"{layer}_unknown":
            return f"answered attempts with no recorded outcome at {name}"
    return key.replace("_", " ")


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def metric_counts(m: MetricResult) -> list[tuple[str, str]]:
    """A metric's counts and per-part figures as (phrase, number) rows."""
    return ([(count_words(k), number(n)) for k, n in m.counts.items()]
            + [(count_words(k), number(x)) for k, x in m.breakdown.items()])


def evidence_counts(a: Assessment) -> list[tuple[str, str]]:
    """The assessment's tallies by condition and outcome, as phrases."""
    return [(count_words(k), str(n)) for k, n in a.counts.items()]


def sample_size(m: MetricResult) -> str:
    """What the metric was measured on, e.g. "29 behaviours" (the typed ``n`` and ``unit``)."""
    return "—" if m.n is None else f"{m.n} {m.unit or ''}".strip()


def rate_rows(m: MetricResult) -> list[tuple[str, str]]:
    """The rates beside a metric's level, as (name, "estimate [low, high] on n unit")."""
    out = []
    for r in m.rates:
        text = "not measured" if r.estimate is None else f"{r.estimate:.2f}"
        if r.low is not None and r.high is not None:
            text += f" [{r.low:.2f}, {r.high:.2f}]"
        if r.n is not None:
            text += f" on {r.n} {r.unit}"
        out.append((rate_words(r.name), text))
    return out
