"""Assessments on a case: computed by the registry from evidence (never uploaded as a finished
score, so nobody can file a milder result than their evidence supports), re-tests linked to what
they re-test, and the comparison of two assessments naming the metric that decides the difference.

Assessing runs outside any database transaction: :func:`prepare` reads what is needed, the caller
runs :func:`compute`, and :func:`record` writes the result after checking the case again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import spec
from ..compare import compare
from ..formats import Assessment, Submission, Suite
from ..report.compare import comparison_text
from ..runner.assess import assess
from ..store.registry_models import RegistryAssessment, RegistrySubmission, RegistrySuite
from ..suites import PRACTICE, practice
from . import audit, lifecycle
from .auth import Perm, Principal
from .cases import add_submission, case_for, move, org_names, require, submissions_of
from .db import new_id
from .errors import ApiError, Conflict, NotFound
from .schemas import AssessIn, AssessmentMeta, AssessmentOut, ComparisonOut
from .views import assessment_meta, assessment_out


@dataclass
class Prepared:
    case_id: str
    submission: Submission
    submission_row: str | None
    suite: Suite
    suite_row: str | None
    judge: str
    retest_of: str | None


def visible_suite(s: Session, p: Principal, ref: str) -> tuple[Suite, str | None]:
    """``practice``, or a registry suite the caller's organisation uploaded or that is public."""
    if ref == PRACTICE:
        return practice(), None
    r = s.get(RegistrySuite, ref)
    if r is None or (r.private and r.org_id != p.org_id):
        raise NotFound("suite not found")
    # A suite private in the registry is assessed as a private suite: the assessment, which other
    # organisations on the case see, then names it by hash and counts only (formats.SuiteRef).
    return Suite.model_validate({**r.body, "private": bool(r.private or r.body.get("private"))}), r.id


def prepare(s: Session, p: Principal, case_id: str, req: AssessIn) -> Prepared:
    c = case_for(s, p, case_id)
    require(p, Perm.assess)
    if req.retest_of is not None:
        old = s.get(RegistryAssessment, req.retest_of)
        if old is None or old.case_id != c.id:
            raise NotFound("assessment not found")
        if c.state not in lifecycle.RETESTABLE:
            raise Conflict(f"a re-test needs a case that is action decided, mitigated or re-tested; this one is "
                           f"{lifecycle.label(c.state)}")
        if req.submission is None:
            raise ApiError("a re-test needs new evidence: give 'submission' with the transcripts from the fixed "
                           "system")
    elif c.state not in lifecycle.ASSESSABLE:
        raise Conflict(f"a {lifecycle.label(c.state)} case cannot be assessed"
                       + ("; triage it first" if c.state == lifecycle.REPORTED else ""))
    suite, suite_row = visible_suite(s, p, req.suite)
    if req.submission is not None:
        return Prepared(c.id, req.submission, None, suite, suite_row, req.judge, req.retest_of)
    subs = submissions_of(s, c)
    chosen: RegistrySubmission | None = subs[0] if subs else None
    if req.submission_id is not None:
        chosen = next((r for r in subs if r.id == req.submission_id), None)
        if chosen is None:
            raise NotFound("submission not found")
    if chosen is None:
        raise ApiError("this case has no submission to assess; give 'submission'")
    return Prepared(c.id, Submission.model_validate(chosen.body), chosen.id, suite, suite_row, req.judge,
                    req.retest_of)


def compute(prep: Prepared) -> Assessment:
    """Judge, measure and score the evidence (the same pipeline as ``jailscale assess``)."""
    return assess(prep.submission, prep.suite, judge_name=prep.judge, policy=spec.DEFAULT_POLICY).assessment


def record(s: Session, p: Principal, prep: Prepared, a: Assessment) -> AssessmentMeta:
    c = case_for(s, p, prep.case_id, lock=True)
    allowed = lifecycle.RETESTABLE if prep.retest_of else lifecycle.ASSESSABLE
    if c.state not in allowed:
        raise Conflict(f"the case moved to {lifecycle.label(c.state)} while it was being assessed; try again")
    sub_row = prep.submission_row or add_submission(s, p, c, prep.submission).id
    row = RegistryAssessment(id=new_id("asmt"), case_id=c.id, org_id=p.org_id, user_id=p.user_id,
                             submission_id=sub_row, suite_id=prep.suite_row, retest_of=prep.retest_of,
                             assessment_id=a.id, body=a.model_dump(mode="json"), created_at=dt.datetime.now(dt.UTC))
    s.add(row)
    s.flush()
    audit.append(s, p, "assessment.added", c.id, {"assessment": row.id, "content_id": a.id, "vector": a.vector,
                                                  "score": a.score.value, "retest_of": prep.retest_of})
    if c.state == lifecycle.TRIAGED:
        move(s, p, c, lifecycle.ASSESSED, "first assessment", auto=True)
    elif prep.retest_of and c.state == lifecycle.MITIGATED:
        move(s, p, c, lifecycle.RETESTED, "re-test assessment", auto=True)
    else:
        c.updated_at = dt.datetime.now(dt.UTC)
    return assessment_meta(row, org_names(s))


def assessment_for(s: Session, p: Principal, case_id: str, aid: str) -> RegistryAssessment:
    c = case_for(s, p, case_id)
    r = s.get(RegistryAssessment, aid)
    if r is None or r.case_id != c.id:
        raise NotFound("assessment not found")
    return r


def get(s: Session, p: Principal, case_id: str, aid: str) -> AssessmentOut:
    return assessment_out(assessment_for(s, p, case_id, aid), org_names(s))


def list_for(s: Session, p: Principal, case_id: str) -> list[AssessmentMeta]:
    c = case_for(s, p, case_id)
    orgs = org_names(s)
    return [assessment_meta(r, orgs) for r in s.scalars(
        select(RegistryAssessment).where(RegistryAssessment.case_id == c.id)
        .order_by(RegistryAssessment.created_at, RegistryAssessment.id))]


def comparison(s: Session, p: Principal, case_id: str, a_id: str, b_id: str) -> ComparisonOut:
    """``jailscale.compare`` on two assessments of the case, each named by its organisation."""
    ra, rb = assessment_for(s, p, case_id, a_id), assessment_for(s, p, case_id, b_id)
    orgs = org_names(s)
    ma, mb = assessment_meta(ra, orgs), assessment_meta(rb, orgs)
    names = (ma.org, mb.org) if ma.org != mb.org else (f"{ma.org} ({ma.id[-6:]})", f"{mb.org} ({mb.id[-6:]})")
    comp = compare(Assessment.model_validate(ra.body), Assessment.model_validate(rb.body), names=names)
    return ComparisonOut(a=ma, b=mb, names=list(names), deciding=[m.abbr for m in comp.decisive],
                         text=comparison_text(comp), comparison=comp.to_dict())
