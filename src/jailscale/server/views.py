"""Rows to API models, with what the caller may not see left out: response text without the evidence
permission, other organisations' private notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..store.registry_models import (
    RegistryAction,
    RegistryAssessment,
    RegistryCase,
    RegistryNote,
    RegistrySubmission,
    RegistrySuite,
)
from .auth import Perm, Principal
from .schemas import (
    ActionOut,
    AssessmentMeta,
    AssessmentOut,
    CaseSummary,
    NoteOut,
    SubmissionMeta,
    SubmissionOut,
    SuiteOut,
)

REDACTED = "[redacted: needs the evidence permission]"
OPEN_STATUSES = frozenset({"open", "in_progress"})


def utc(t: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def can_see_evidence(p: Principal, sub: RegistrySubmission) -> bool:
    """Response text: with the evidence permission, or a reporter's own submission."""
    return p.can(Perm.evidence) or sub.user_id == p.user_id


def redact(body: dict[str, Any]) -> dict[str, Any]:
    """The submission with every transcript's response (and error text) replaced by a marker."""
    out = dict(body)
    out["evidence"] = [{**t, "response": REDACTED if t.get("response") is not None else None,
                        "error": REDACTED if t.get("error") else t.get("error")}
                       for t in body.get("evidence", [])]
    return out


def submission_meta(r: RegistrySubmission, orgs: dict[str, str]) -> SubmissionMeta:
    b = r.body
    return SubmissionMeta(id=r.id, submission_id=r.submission_id, title=str(b.get("title", "")),
                          technique_kind=r.technique_kind, technique_name=str(b.get("technique", {}).get("name", "")),
                          org=orgs.get(r.org_id, "?"), evidence=len(b.get("evidence", [])),
                          content_hash=r.content_hash, created_at=utc(r.created_at))


def submission_out(p: Principal, r: RegistrySubmission, orgs: dict[str, str]) -> SubmissionOut:
    allowed = can_see_evidence(p, r)
    meta = submission_meta(r, orgs)
    return SubmissionOut(**meta.model_dump(), redacted=not allowed, submission=r.body if allowed else redact(r.body))


def assessment_meta(r: RegistryAssessment, orgs: dict[str, str]) -> AssessmentMeta:
    b = r.body
    score, response = b["score"], b["response"]
    return AssessmentMeta(id=r.id, org=orgs.get(r.org_id, "?"), created_at=utc(r.created_at),
                          submission=r.submission_id, retest_of=r.retest_of, assessment_id=r.assessment_id,
                          vector=b["vector"], score=score["value"], score_low=score["low"], score_high=score["high"],
                          rating=score["rating"], label=score["label"], recommended=response["action"],
                          within=response["within"], policy=response["policy"])


def assessment_out(r: RegistryAssessment, orgs: dict[str, str]) -> AssessmentOut:
    return AssessmentOut(**assessment_meta(r, orgs).model_dump(), assessment=r.body)


def overdue(a: RegistryAction, now: dt.datetime | None = None) -> bool:
    return a.status in OPEN_STATUSES and utc(a.due_at) < (now or dt.datetime.now(dt.UTC))


def action_out(a: RegistryAction, orgs: dict[str, str]) -> ActionOut:
    return ActionOut(id=a.id, org=orgs.get(a.org_id, "?"), assessment=a.assessment_id, recommended=a.recommended,
                     within=a.within, action=a.action, against_recommendation=a.action != a.recommended,
                     reason=a.reason, owner=a.owner, due_at=utc(a.due_at), status=a.status, overdue=overdue(a),
                     created_at=utc(a.created_at), updated_at=utc(a.updated_at))


def note_out(n: RegistryNote, orgs: dict[str, str], users: dict[str, str]) -> NoteOut:
    return NoteOut(id=n.id, org=orgs.get(n.org_id, "?"), user=users.get(n.user_id, "?"), private=n.private,
                   text=n.text, created_at=utc(n.created_at))


def suite_out(r: RegistrySuite, orgs: dict[str, str]) -> SuiteOut:
    return SuiteOut(id=r.id, org=orgs.get(r.org_id, "?"), hash=r.hash, name=r.name, private=r.private,
                    behaviours=len(r.body.get("behaviours", [])), created_at=utc(r.created_at))


def case_summary(c: RegistryCase, orgs: dict[str, str], latest: RegistryAssessment | None = None,
                 assessments: int = 0, actions: list[RegistryAction] | None = None) -> CaseSummary:
    acts = actions or []
    return CaseSummary(id=c.id, title=c.title, state=c.state, org=orgs.get(c.org_id, "?"),
                       created_at=utc(c.created_at), updated_at=utc(c.updated_at),
                       score=None if latest is None else latest.body["score"]["value"],
                       rating=None if latest is None else latest.body["score"]["rating"],
                       assessments=assessments, open_actions=sum(a.status in OPEN_STATUSES for a in acts),
                       overdue_actions=sum(overdue(a) for a in acts))
