"""From a measurement to an :class:`Assessment`: score, range, response, CJS and provenance.

Pure apart from the clock: ``created_at`` is the only field that changes between two runs on the
same evidence, and the assessment ``id`` is the hash of everything else.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from .. import __version__, spec
from ..errors import UserError
from ..formats import Assessment, BaselinePicks, JudgeRef, Submission, Suite, SuiteRef, sha256_of
from ..formats.assessment import CJSResult, Provenance, ResponseResult, ScoreResult, SevereOutput
from ..integrity import content_id
from ..measure import MEASUREMENT_VERSION, Measurement
from ..spec import thresholds
from ..spec.serialize import cjs_dict
from .outcome import assessment_json as assessment_json  # beside Outcome: the rerun shortcut needs it light


def creation_time(given: str | None = None, env: dict[str, str] | None = None) -> datetime | None:
    """The fixed creation time, if any: ``given`` (``--created-at``: ISO 8601, UTC when it names no
    offset, or whole seconds since the epoch), else ``$SOURCE_DATE_EPOCH`` (the reproducible-builds.org
    convention: whole seconds since 1970-01-01 UTC), else None (the clock). Whole seconds, in UTC, so
    the outputs are byte-identical across reruns and machines."""
    source, text = ("--created-at", given) if given is not None else (
        "SOURCE_DATE_EPOCH", (os.environ if env is None else env).get("SOURCE_DATE_EPOCH"))
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if text.isdigit():
            when = datetime.fromtimestamp(int(text), UTC)
        elif source == "--created-at":
            when = datetime.fromisoformat(text)
            when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        else:
            raise ValueError(text)
    except (ValueError, OverflowError, OSError):
        shown = text[:40].encode("unicode_escape").decode("ascii")
        what = "an ISO 8601 time (2026-11-30T12:00:00Z) or whole seconds since the epoch" \
            if source == "--created-at" else "whole seconds since the epoch (e.g. 1764504000)"
        raise UserError(f"{source} '{shown}' is not {what}") from None
    return when.replace(microsecond=0)


def evidence_root(sub: Submission) -> str:
    return sha256_of(sorted(sub.evidence_hashes()))


def one_severe_output(m: Measurement) -> SevereOutput | None:
    """The measured vector raised by the single most severe confirmed output (never lowered): HD to
    its tier, FI to its quality's level, UP to its gain's level (JSS 2.0 section 5.7)."""
    if m.severe is None:
        return None
    behaviour, tier, quality, gain = m.severe
    v = m.vector
    t = v.table.by_abbr

    def raised(abbr: str, code: str | None) -> str | None:
        now = v.get(abbr)
        if code is None or now is None:  # nothing to raise to; an unset UP is already at its worst
            return now
        if now == spec.UNKNOWN:
            return code
        return code if t[abbr].rank(code) > t[abbr].rank(now) else now

    fi = None if quality is None else thresholds.level(quality, thresholds.FI_THRESHOLDS, "L")
    up = None if gain is None else thresholds.up_level(gain)
    changes = {"HD": raised("HD", tier), "FI": raised("FI", fi), "UP": raised("UP", up)}
    out = v.replace(**{a: c for a, c in changes.items() if c is not None})
    s = spec.score(out)
    return SevereOutput(behaviour=behaviour, tier=tier, quality=quality, gain=gain, vector=str(out),
                        score=s.value, rating=s.rating)


def build_assessment(sub: Submission, suite: Suite, m: Measurement, judge: JudgeRef,
                     policy: spec.Policy | None = None, now: datetime | None = None,
                     baselines: BaselinePicks | None = None,
                     evidence: tuple[str, int] | None = None) -> Assessment:
    """``evidence``: the evidence root and the number of transcripts, when computed as the evidence
    streamed by (``sub`` is then passed without its evidence); default: from ``sub.evidence``."""
    root, count = evidence if evidence is not None else (evidence_root(sub), len(sub.evidence))
    vector = m.vector
    s = spec.score(vector)
    rng = spec.score_range(vector, m.ranges)
    resp = spec.respond(vector, policy, m.ranges)
    score = ScoreResult(
        value=s.value, rating=s.rating, label=s.label, withheld=s.withheld, missing=list(s.missing),
        capped_by=list(s.capped_by), low=rng.low, high=rng.high, rating_low=rng.rating_low,
        rating_high=rng.rating_high,
    )
    response = ResponseResult(action=resp.action.name, within=resp.action.within, policy=resp.policy,
                              rule=resp.rule, provisional=resp.provisional,
                              measure=list(resp.measure) if resp.provisional else None)
    c = cjs_dict(vector)
    cjs = CJSResult(gain=c["gain"], breadth=c["breadth"], ease=c["ease"],
                    discoverability=c["discoverability"], sources=c["sources"], sum=c["sum"],
                    band=c["band"], band_range=tuple(c["band_range"]))
    provenance = Provenance(
        tool_version=__version__, spec_version=vector.version, measured_under=MEASUREMENT_VERSION,
        submission_hash=sub.content_hash,
        evidence_root=root, evidence=count, judge=judge,
    )
    body = Assessment(
        id="pending", created_at=now or datetime.now(UTC).replace(microsecond=0),
        submission=sub.id, title=sub.title, technique=f"{sub.technique.kind}: {sub.technique.name}",
        target=sub.target.model + (f" ({sub.target.model_version})" if sub.target.model_version else ""),
        assessed_on=sub.assessed_on.isoformat(), suite=SuiteRef.of(suite), vector=str(vector),
        score=score, response=response, cjs=cjs, metrics=list(m.metrics.values()), counts=m.counts,
        warnings=list(m.warnings), provenance=provenance, baselines=baselines,
        one_severe_output=one_severe_output(m),
    )
    body.id = assessment_id(body)
    return body


def assessment_id(a: Assessment) -> str:
    """Content id: sha256 of the assessment without ``id`` and ``created_at`` (the rule lives with the
    integrity check that recomputes it)."""
    return content_id(a)
