"""Re-score stored evidence against another baseline set (``jailscale rescore``).

When the baseline registry moves (a model is added, or one a submission picked is removed), an
assessment's UP may change. Nothing is re-judged: the stored submission, suite and the verdicts of the
assessment's own judge (name, version and configuration) are measured again with the new set's picks,
and a new assessment is built that records the new set. Picks the new set no longer lists are
reported; their reference evidence is not counted (missing evidence widens UP's range or withholds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import baselines as registry
from .. import spec
from ..errors import UserError
from ..formats import Assessment, BaselineSet, Submission, Suite, Verdict
from ..formats.evidence import judge_input_hash
from ..measure import measure
from ..store import Store
from .assess import failure_warning
from .build import build_assessment


@dataclass
class Rescored:
    """The assessment before and after, and what changed in the picks."""

    before: Assessment
    after: Assessment
    #: ids the submission picked that the new set does not list (their evidence was not counted)
    no_longer_in_set: list[str] = field(default_factory=list)
    #: ids the old assessment used that the new assessment does not
    dropped: list[str] = field(default_factory=list)
    stored: bool = False


def stored_inputs(store: Store, a: Assessment) -> tuple[Submission, Suite, dict[str, Verdict]]:
    """The submission, suite and verdicts ``a`` was measured from, as stored. A submission or suite
    whose content differs from what ``a`` names, or a transcript without a stored verdict of ``a``'s
    judge, is the user's error: the evidence to re-score is not (all) in this store."""
    sub = store.get_submission(a.provenance.submission_hash)
    if sub.content_hash != a.provenance.submission_hash:
        raise UserError(f"assessment {a.id[:19]}: the stored submission '{sub.id}' is not the one it was "
                        "measured from; assess the original submission into this store first")
    suite = store.get_suite(a.suite.hash)
    j = a.provenance.judge
    hashes = sub.evidence_hashes()
    by_id = suite.by_id()
    inputs = {t.content_hash: judge_input_hash(by_id[t.behaviour], t) for t in sub.evidence}
    verdicts = store.verdicts_for(inputs, j.name, j.version, j.config_hash)
    missing = [h for h in hashes if h not in verdicts]
    if missing:
        raise UserError(f"assessment {a.id[:19]}: {len(missing)} of {len(hashes)} transcript(s) have no stored "
                        f"verdict of judge {j.name} {j.version}; re-run jailscale assess on the submission")
    return sub, suite, verdicts


def rescore(store: Store, a: Assessment, bset: BaselineSet, *, policy: spec.Policy | None = None,
            now: datetime | None = None, save: bool = True) -> Rescored:
    """Measure ``a``'s stored evidence again with ``bset``'s picks and build (and store) the result."""
    sub, suite, verdicts = stored_inputs(store, a)
    if policy is None and a.response.policy != spec.DEFAULT_POLICY.name:
        raise UserError(f"assessment {a.id[:19]} was decided under policy '{a.response.policy}'; pass that "
                        "policy file with --policy to re-score it under the same policy")
    measured, picks, warnings = registry.pick(sub, bset)
    m = measure(measured, suite, verdicts, a.provenance.judge.calibration_used)
    m.warnings.extend(warnings)
    failed = failure_warning(sub, verdicts)
    if failed:
        m.warnings.append(failed)
    after = build_assessment(sub, suite, m, a.provenance.judge, policy, now, baselines=picks)
    before_ids = [p.id for p in a.baselines.picked] if a.baselines else []
    now_ids = {p.id for p in picks.picked}
    out = Rescored(before=a, after=after, no_longer_in_set=list(picks.not_in_set),
                   dropped=[i for i in before_ids if i not in now_ids])
    if save:
        store.save_assessment(sub, suite, verdicts, after)
        out.stored = True
    return out
