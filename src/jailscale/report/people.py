"""What a person reads first: a plain-language summary, success by harm tier and by category with
intervals, counts in words, and the evidence grouped by behaviour, bounded in size.

Computed once from the assessment and the per-behaviour tallies the measurement already made
(:class:`~jailscale.measure.outcomes.BehaviourEvidence`); the HTML and Markdown reports render it.

Bounds (so that a 100,000-transcript assessment's report stays far under 500 KB; the full evidence
is in ``assessment.json`` and the store): at most :data:`MAX_GROUPS` behaviours are listed with at
most :data:`MAX_PER_GROUP` transcripts each, and at most :data:`MAX_CATEGORIES` categories are
charted (the rest are pooled as "other").
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..formats.assessment import Assessment, MetricResult
from ..formats.evidence import Transcript, Verdict
from ..judges.registry import TRIAGE_JUDGES
from ..measure.outcomes import BehaviourEvidence, Tally
from ..measure.witnesses import Status
from ..spec.metrics import BY_ABBR
from ..spec.thresholds import wilson
from ..textsafe import terminal
from . import _view as v

#: One word, one meaning, everywhere in the reports, the terminal summary and the docs.
GLOSSARY = ("Words used here: an attempt is answered (a 'success' in the JSS spec) when the judge read its "
            "response as carrying out the request (verdict 'complied'); a behaviour is refused plainly when every"
            ' judged plain request for it was refused; it is confirmed unlocked when it is refused plainly and '
            "answered with the jailbreak more often than the judge's known error rate explains (JSS 2.0 section "
            '5.1), and only confirmed behaviours set the score; it may be unlocked when the evidence does not '
            'rule that out (the top of the range).')

MAX_GROUPS = 100
MAX_PER_GROUP = 3
MAX_CATEGORIES = 12
TIER_NAMES = {"L": "Low", "M": "Moderate", "S": "Severe", "C": "Catastrophic"}


@dataclass(frozen=True)
class Share:
    """Answered attempts out of judged (determinate) ones, with the 95% Wilson interval (attempts pooled)."""

    successes: int
    n: int
    low: float
    high: float
    attempts: int = 0  # every attempt, judged or not (errors and unscoreable ones leave n)

    @property
    def estimate(self) -> float:
        return self.successes / self.n if self.n else 0.0

    @property
    def text(self) -> str:
        if not self.n:
            return f"none of {self.attempts} attempts could be judged" if self.attempts else "not tried"
        return (f"{self.successes} of {self.n} ({self.estimate:.0%}; 95% interval "
                f"{self.low:.0%}–{self.high:.0%})")

    @classmethod
    def of(cls, tallies: Sequence[Tally]) -> Share:
        s = sum(t.successes for t in tallies)
        n = sum(t.determinate for t in tallies)
        lo, hi = wilson(s, n)
        return cls(s, n, lo, hi, sum(sum(t.outcomes.values()) for t in tallies))


@dataclass(frozen=True)
class GroupRow:
    """One harm tier or category: how often plain requests and jailbreak attempts were answered, how
    many behaviours were refused plainly, answered with the jailbreak, and confirmed unlocked (None
    when the measurement's statuses are not at hand)."""

    name: str
    behaviours: int
    baseline: Share
    jailbreak: Share
    answered: int
    protected: int
    confirmed: int | None = None


@dataclass(frozen=True)
class EvidenceLine:
    condition: str
    sample: int
    verdict: str
    response: str
    shown: str | None


@dataclass(frozen=True)
class BehaviourGroup:
    """One behaviour's evidence: its tallies in words and a few of its transcripts."""

    name: str
    tier: str
    category: str
    baseline: str
    jailbreak: str
    status: str
    lines: list[EvidenceLine]
    more: int


#: At most this many panel disagreements are listed in a report (all are counted; the assessment
#: lists the first 50).
MAX_PANEL_ROWS = 20


@dataclass(frozen=True)
class PanelView:
    """A panel of judges, for the report: who sat on it, how often each pair agreed, and the first
    transcripts they disagreed on (response redacted unless shown)."""

    rule: str
    members: list[str]
    transcripts: int
    pairs: list[tuple[str, str, str, str]]  # pair, both scored, agreement, kappa
    disagreements: int
    rows: list[tuple[str, str, str, str, str]]  # behaviour, condition/sample, member labels, combined, response
    more: int


RULE_WORDS = {"majority": "harmful when at least half of the voting judges say so",
              "unanimity": "harmful only when every judge says so",
              "any_harmful": "harmful when any voting judge says so"}


def panel_view(a: Assessment, sample: EvidenceSample | None, show_responses: bool) -> PanelView | None:
    """The :class:`PanelView` of an assessment judged by a panel, else None (the transcripts of the
    disagreements it lists are looked up in ``sample``, which keeps them: :attr:`EvidenceSample.also`)."""
    p = a.provenance.judge.panel
    if p is None:
        return None
    members = [f"{m.name} {m.version}" + (" (triage judge)" if m.name in TRIAGE_JUDGES else "")
               + f", config {v.short_hash(m.config_hash)}" for m in p.members]
    pairs = [(f"{x.a} and {x.b}", str(x.both_scored),
              v.DASH if x.agreement is None else f"{x.agreement:.1%} ({x.agree} of {x.both_scored})",
              v.fmt_num(x.kappa, 3)) for x in p.pairwise]
    by_hash = sample.by_hash() if sample is not None else {}
    rows = []
    for d in p.listed[:MAX_PANEL_ROWS]:
        t = by_hash.get(d.transcript)
        if t is None:
            response = "[not in this report's evidence]"
        elif show_responses and t.response is not None:
            response = terminal(t.response, keep_lines=True)
        else:
            response = v.redacted(t.response, t.error)
        rows.append((v.behaviour_name(a, d.behaviour), f"{d.condition}, sample {d.sample}",
                     "; ".join(f"{k}: {lab}" for k, lab in d.labels.items()), d.combined, response))
    return PanelView(rule=f"{p.rule}: {RULE_WORDS.get(p.rule, p.rule)}", members=members, transcripts=p.transcripts,
                     pairs=pairs, disagreements=p.disagreements, rows=rows, more=p.disagreements - len(rows))


@dataclass
class PeopleView:
    headline: str
    summary: list[tuple[str, str]]
    tiers: list[GroupRow] = field(default_factory=list)
    categories: list[GroupRow] = field(default_factory=list)
    groups: list[BehaviourGroup] = field(default_factory=list)
    groups_total: int = 0
    transcripts_total: int = 0
    panel: PanelView | None = None


def baseline_known(e: BehaviourEvidence) -> bool:
    """At least one judged plain request (descriptive, for the report's tables)."""
    return e.baseline.determinate > 0


def protected(e: BehaviourEvidence) -> bool:
    """Judged plain requests and none of them succeeded."""
    return baseline_known(e) and e.baseline.successes == 0


def answered_jailbreak(e: BehaviourEvidence) -> bool:
    """Refused plainly, and at least one jailbreak attempt answered. Not yet "unlocked": the
    measurement confirms a behaviour only when the answers exceed what the judge's error explains."""
    return protected(e) and e.jailbreak.successes > 0


def confirmed(e: BehaviourEvidence, statuses: Mapping[str, Status] | None) -> bool:
    """Confirmed unlocked by the measurement's own witness rule (JSS 2.0 section 5.1)."""
    st = statuses.get(e.behaviour.id) if statuses is not None else None
    return st is not None and st.jailbreak == "confirmed" and st.baseline == "protected"


def _tally_text(t: Tally) -> str:
    if not t.determinate:
        extra = sum(t.outcomes.values())
        return "not tried" if not extra else f"{extra} attempt(s), none judged"
    return f"{t.successes} of {t.determinate} answered"


def _rows(groups: Mapping[str, list[BehaviourEvidence]], statuses: Mapping[str, Status] | None) -> list[GroupRow]:
    return [GroupRow(name=name, behaviours=len(evs), baseline=Share.of([e.baseline for e in evs]),
                     jailbreak=Share.of([e.jailbreak for e in evs]), answered=sum(map(answered_jailbreak, evs)),
                     protected=sum(map(protected, evs)),
                     confirmed=None if statuses is None else sum(confirmed(e, statuses) for e in evs))
            for name, evs in groups.items()]


def category_name(category: str) -> str:
    """A category id as words ("intellectual_property" -> "intellectual property")."""
    return category.replace("_", " ")


def tier_rows(behaviours: Mapping[str, BehaviourEvidence],
              statuses: Mapping[str, Status] | None = None) -> list[GroupRow]:
    by: dict[str, list[BehaviourEvidence]] = {}
    for e in behaviours.values():
        by.setdefault(e.behaviour.tier, []).append(e)
    order = list(TIER_NAMES)
    return _rows({f"{t} ({TIER_NAMES[t]})": by[t] for t in sorted(by, key=order.index)}, statuses)


def category_rows(behaviours: Mapping[str, BehaviourEvidence], private: bool,
                  statuses: Mapping[str, Status] | None = None) -> list[GroupRow]:
    """Per category, the most-tried first; past :data:`MAX_CATEGORIES`, pooled as "other". A private
    suite's categories are not named (they can say what the hidden requests are about)."""
    if private:
        return []
    by: dict[str, list[BehaviourEvidence]] = {}
    for e in behaviours.values():
        by.setdefault(e.behaviour.category, []).append(e)
    ranked = sorted(by, key=lambda c: (-sum(e.jailbreak.determinate for e in by[c]), c))
    keep = {category_name(c): by[c] for c in ranked[:MAX_CATEGORIES]}
    rest = [e for c in ranked[MAX_CATEGORIES:] for e in by[c]]
    if rest:
        keep[f"other ({len(ranked) - MAX_CATEGORIES} categories)"] = rest
    return _rows(keep, statuses)


def _metric(a: Assessment, abbr: str) -> MetricResult | None:
    return next((m for m in a.metrics if m.abbr == abbr), None)


def value_name(abbr: str, code: str | None) -> str:
    metric = BY_ABBR.get(abbr)
    if metric is None or code is None:
        return code or "unset"
    return next((f"{val.code} ({val.name})" for val in metric.values if val.code == code), code)


def _unlocked_text(a: Assessment, behaviours: Mapping[str, BehaviourEvidence] | None) -> str:
    un = _metric(a, "UN")
    hd = _metric(a, "HD")
    counts = un.counts if un is not None else {}
    n_protected = counts.get("protected_at_baseline")
    n_confirmed = counts.get("confirmed_unlocked", counts.get("newly_unlocked"))
    n_answered = None
    if behaviours is not None:
        known = sum(map(baseline_known, behaviours.values()))
        n_answered = sum(map(answered_jailbreak, behaviours.values()))
        if n_protected is None:
            n_protected = sum(map(protected, behaviours.values()))
    else:
        known = counts.get("baseline_known", n_protected or 0)
    if behaviours is not None:
        tried = sum(sum(e.jailbreak.outcomes.values()) for e in behaviours.values())
        if tried and not sum(e.jailbreak.determinate for e in behaviours.values()):
            return (f"Unknown: none of the {tried} jailbreak attempts could be judged (no answer, or no verdict "
                    "from the judge: see the first warning), so nothing can be said about what it unlocks.")
    if not known or (not n_protected and n_confirmed is None):
        return ("Unknown: there were no plain-request (baseline) attempts, so we cannot tell what the "
                "jailbreak unlocks beyond what the model already answers. The score is withheld until "
                "baseline attempts are added.")
    if n_confirmed is None:
        text = (f"Not measured: no behaviour can be confirmed unlocked without a calibrated judge. The jailbreak "
                f"was answered at least once on {n_answered if n_answered is not None else 'some'} of the "
                f"{n_protected or 0} behaviours refused plainly.")
    else:
        text = f"Confirmed unlocked: {n_confirmed} of the {n_protected or 0} behaviours refused plainly."
        if n_answered is not None and n_answered > n_confirmed:
            text += (f" The jailbreak was answered at least once on {n_answered} of them; the other "
                     f"{n_answered - n_confirmed} are not confirmed (too few answers to rule out the judge's errors).")
    if hd is not None and hd.value not in (None, "N", "X"):
        text += f" Most harmful tier reached: {value_name('HD', hd.value)}."
    elif hd is not None and hd.value == "N":
        text += " No harm tier is reached (fewer than two behaviours confirmed unlocked in any tier)."
    return text


def judge_sentence(a: Assessment) -> str:
    j = a.provenance.judge
    text = f"Verdicts by the judge '{j.name}' (version {j.version})"
    used = getattr(j, "calibration_used", None)
    cals = [used] if used is not None else list(getattr(j, "calibrations", None) or [])
    if j.name in TRIAGE_JUDGES:
        text += " (a triage judge: back a published rating with a calibrated model-graded judge)"
    if j.panel is not None:
        names = [m.name for m in j.panel.members]
        text += f": a panel of {', '.join(names)} under the rule '{j.panel.rule}'"
        triage = [n for n in names if n in TRIAGE_JUDGES]
        if triage:
            text += f" ({', '.join(triage)} is a triage judge)"
    parts = []
    for c in cals:
        sens, spec = getattr(c, "sensitivity", None), getattr(c, "specificity", None)
        if sens is not None and spec is not None:
            parts.append(f"on {c.population.replace('_', ' ')} ({c.dataset}): catches {sens.estimate:.0%} of "
                         f"harmful answers ({sens.low:.0%}–{sens.high:.0%}), clears {spec.estimate:.0%} of "
                         f"harmless ones ({spec.low:.0%}–{spec.high:.0%})")
    if parts:
        return text + ", checked against human labels " + "; ".join(parts) + "."
    if j.agreement is None:
        return text + ", which has no measured agreement with human labels: treat its verdicts as unverified."
    text += f", which agrees with human labels {j.agreement:.0%} of the time"
    if j.false_positive_rate is not None:
        text += f" and calls {j.false_positive_rate:.0%} of harmless answers harmful"
    return text + (f" (measured on {j.calibration})." if j.calibration else ".")


def summary(a: Assessment, behaviours: Mapping[str, BehaviourEvidence] | None,
            transcripts: Sequence[Transcript] | None) -> list[tuple[str, str]]:
    """Four questions a reader asks, answered in sentences."""
    s, r = a.score, a.response
    n_beh = len(behaviours) if behaviours is not None else a.suite.behaviours
    by_cond: dict[str, int] = {}
    for k, n in a.counts.items():
        cond = k.split("_", 1)[0]
        by_cond[cond] = by_cond.get(cond, 0) + n
    words = {"baseline": "plain requests", "jailbreak": "with the jailbreak", "reference": "to reference alternatives"}
    attempts = ", ".join(f"{n} {words.get(c, c)}" for c, n in sorted(by_cond.items())) or "none judged"
    suite = "a private suite" if a.suite.private or a.suite.name is None else f"the suite {a.suite.name}"
    tiers = ", ".join(f"{n} {TIER_NAMES.get(t, t).lower()}" for t, n in sorted(
        a.suite.by_tier.items(), key=lambda x: list(TIER_NAMES).index(x[0]) if x[0] in TIER_NAMES else 9))
    tested = (f"Technique {a.technique} against {a.target}: {n_beh} behaviours of {suite} (harm tiers: "
              f"{tiers}); {a.provenance.evidence} attempts ({attempts}); assessed on {a.assessed_on}.")
    rng = f"{s.low:.1f}–{s.high:.1f} ({s.rating_low}" + ("" if s.rating_low == s.rating_high else
                                                          f" to {s.rating_high}") + ")"
    if s.withheld or s.value is None:
        sure = (f"Not sure enough to give one score: {', '.join(s.missing) or 'a base metric'} could not be "
                f"measured, so the score is withheld; the evidence is consistent with {rng}.")
    else:
        sure = (f"JSS {s.value:.1f} ({s.rating}); " + ("no other score is consistent with the evidence."
                if s.low == s.high else f"the evidence is consistent with anything from {rng}."))
    sure += " " + judge_sentence(a)
    todo = f"{r.action}: {r.within} (policy {r.policy}, rule {r.rule})."
    if r.provisional:
        todo += " Provisional: a base metric is unknown, so this follows the most severe value still possible."
    return [("What was tested", tested), ("What it unlocked", _unlocked_text(a, behaviours)),
            ("How sure we are", sure), ("What to do, and by when", todo)]


def headline(a: Assessment) -> str:
    s = a.score
    if s.withheld or s.value is None:
        return (f"Severity withheld (range {s.low:.1f}–{s.high:.1f}, {s.rating_low} to {s.rating_high}): "
                f"{a.response.action}, {a.response.within}")
    return f"{s.rating} severity, JSS {s.value:.1f}: {a.response.action}, {a.response.within}"


def _status(e: BehaviourEvidence, statuses: Mapping[str, Status] | None) -> str:
    if confirmed(e, statuses):
        return "confirmed unlocked"
    if answered_jailbreak(e):
        return "answered with the jailbreak" + ("" if statuses is None else ", not confirmed")
    if baseline_known(e) and not protected(e):
        return "answered when asked plainly"
    if e.jailbreak.successes:
        return "answered with the jailbreak (no plain request)"
    if e.jailbreak.determinate:
        return "refused"
    return "no judged attempts"


#: The judge's verdict labels in the report's words (the glossary's "answered" is the label "complied").
VERDICT_WORDS = {"complied": "answered", "refused": "refused", "partial": "partly answered",
                 "unscoreable": "could not be judged"}


def _line(a: Assessment, t: Transcript, show_responses: bool) -> EvidenceLine:
    label = t.verdicts[-1].label if t.verdicts else None
    verdict = VERDICT_WORDS.get(label, label) if label else "no verdict"
    shown = terminal(t.response, keep_lines=True) if show_responses and t.response is not None else None
    cond = t.condition + (f" ({t.reference})" if t.reference else "")
    return EvidenceLine(cond, t.sample, verdict, v.redacted(t.response, t.error), shown)


class EvidenceSample:
    """What the report lists of the evidence, kept as the transcripts go by: per behaviour the
    :data:`MAX_PER_GROUP` that come first in the report's order (successes, then jailbreak attempts,
    then by sample; ties in evidence order) and how many there were. Its size grows with the number
    of behaviours, never with the number of transcripts, so a streamed assessment's report is built
    without holding its evidence."""

    def __init__(self, per_group: int = MAX_PER_GROUP) -> None:
        self.per_group = per_group
        self.kept: dict[str, list[tuple[tuple[bool, bool, int], int, Transcript]]] = {}
        self.totals: dict[str, int] = {}
        self.total = 0
        #: further transcripts the report refers to by hash (a panel's listed disagreements)
        self.also: dict[str, Transcript] = {}

    def by_hash(self) -> dict[str, Transcript]:
        """Every transcript kept, by content hash."""
        out = dict(self.also)
        out.update((t.content_hash, t) for kept in self.kept.values() for _, _, t in kept)
        return out

    def add(self, t: Transcript, verdict: Verdict | None = None) -> None:
        """Count ``t``; keep it (with ``verdict``, this assessment's, appended to its verdicts) when it
        is among its behaviour's first :attr:`per_group` in the report's order."""
        label = verdict.label if verdict is not None else (t.verdicts[-1].label if t.verdicts else None)
        key = (label != "complied", t.condition != "jailbreak", t.sample)
        i = self.total
        self.total += 1
        self.totals[t.behaviour] = self.totals.get(t.behaviour, 0) + 1
        kept = self.kept.setdefault(t.behaviour, [])
        if len(kept) >= self.per_group and (key, i) >= kept[-1][:2]:
            return
        shown = t.model_copy(update={"verdicts": [*t.verdicts, verdict]}) if verdict is not None else t
        bisect.insort(kept, (key, i, shown), key=lambda x: x[:2])
        del kept[self.per_group:]

    @classmethod
    def of(cls, transcripts: Sequence[Transcript]) -> EvidenceSample:
        """The sample of transcripts whose verdicts already end with this assessment's."""
        sample = cls()
        for t in transcripts:
            sample.add(t)
            sample.also[t.content_hash] = t
        return sample


def _sample(transcripts: Sequence[Transcript] | EvidenceSample) -> EvidenceSample:
    return transcripts if isinstance(transcripts, EvidenceSample) else EvidenceSample.of(transcripts)


def groups(a: Assessment, behaviours: Mapping[str, BehaviourEvidence] | None,
           transcripts: Sequence[Transcript] | EvidenceSample, show_responses: bool,
           statuses: Mapping[str, Status] | None = None) -> tuple[list[BehaviourGroup], int]:
    """The evidence by behaviour, the most telling first (confirmed unlocked, then answered with the
    jailbreak, then most jailbreak answers),
    at most :data:`MAX_GROUPS` behaviours and :data:`MAX_PER_GROUP` transcripts each (successes
    first). Returns the groups and how many behaviours there were."""
    sample = _sample(transcripts)
    by = {bid: [t for _, _, t in kept] for bid, kept in sample.kept.items()}
    ids = list(by)
    if behaviours is not None:
        ids = [b for b in behaviours if b in by] + [b for b in by if b not in behaviours]

    def rank(bid: str) -> tuple[int, int, int, str]:
        e = behaviours.get(bid) if behaviours is not None else None
        if e is None:
            return (1, 1, 0, bid)
        return (0 if confirmed(e, statuses) else 1, 0 if answered_jailbreak(e) else 1, -e.jailbreak.successes, bid)

    out = []
    for bid in sorted(ids, key=rank)[:MAX_GROUPS]:
        ts = by[bid]
        e = behaviours.get(bid) if behaviours is not None else None
        out.append(BehaviourGroup(
            name=v.behaviour_name(a, bid),
            tier=value_name("HD", e.behaviour.tier) if e else "",
            category="" if e is None or a.suite.private else category_name(e.behaviour.category),
            baseline=_tally_text(e.baseline) if e else "", jailbreak=_tally_text(e.jailbreak) if e else "",
            status=_status(e, statuses) if e else "", lines=[_line(a, t, show_responses) for t in ts],
            more=max(0, sample.totals[bid] - len(ts))))
    return out, len(ids)


def people_view(a: Assessment, transcripts: Sequence[Transcript] | EvidenceSample | None,
                behaviours: Mapping[str, BehaviourEvidence] | None, show_responses: bool,
                statuses: Mapping[str, Status] | None = None) -> PeopleView:
    """``transcripts``: the evidence with this assessment's verdicts, or its :class:`EvidenceSample`.
    ``statuses`` are the measurement's per-behaviour witness statuses (``Measurement.statuses``):
    with them, the tables count and the evidence tags name the behaviours confirmed unlocked."""
    sample = None if transcripts is None else _sample(transcripts)
    view = PeopleView(headline=headline(a), summary=summary(a, behaviours, None),
                      panel=panel_view(a, sample, show_responses))
    if behaviours is not None:
        view.tiers = tier_rows(behaviours, statuses)
        view.categories = category_rows(behaviours, a.suite.private, statuses)
    if sample is not None:
        view.groups, view.groups_total = groups(a, behaviours, sample, show_responses, statuses)
        view.transcripts_total = sample.total
    return view
