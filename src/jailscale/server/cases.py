"""Cases: filing, seeing, moving through the lifecycle, sharing, notes, history, near-duplicates.

Every function takes the caller (:class:`Principal`) and checks, in this order: can the caller see
the object (else 404, the same answer as for an object that does not exist), may its role do this
(else 403). Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..formats import Submission
from ..store.registry_models import (
    RegistryAction,
    RegistryAssessment,
    RegistryAudit,
    RegistryCase,
    RegistryCaseOrg,
    RegistryNote,
    RegistryOrg,
    RegistrySubmission,
    RegistryUser,
)
from . import audit, dedup, lifecycle
from .auth import Perm, Principal, Role
from .db import new_id
from .errors import Conflict, Forbidden, NotFound
from .schemas import (
    CaseCreated,
    CaseDetail,
    CaseSummary,
    HistoryEntry,
    MatchOut,
    NoteIn,
    RetestOut,
    SubmissionOut,
)
from .views import (
    action_out,
    assessment_meta,
    case_summary,
    note_out,
    submission_meta,
    submission_out,
    utc,
)

MATCHES = 5
MATCH_FLOOR = 0.2
LIST_LIMIT = 500


def org_names(s: Session) -> dict[str, str]:
    return {k: v for k, v in s.execute(select(RegistryOrg.id, RegistryOrg.name))}


def require(p: Principal, perm: Perm) -> None:
    if not p.can(perm):
        raise Forbidden(f"your role ({p.role.value}) may not {perm.value}")


def visible_cases(p: Principal) -> Select[RegistryCase]:
    """Cases the caller may see: its organisation takes part; a reporter only the cases it filed."""
    q = (select(RegistryCase)
         .join(RegistryCaseOrg, and_(RegistryCaseOrg.case_id == RegistryCase.id, RegistryCaseOrg.org_id == p.org_id)))
    if p.role == Role.reporter:
        q = q.where(RegistryCase.reporter_id == p.user_id)
    return q


def case_for(s: Session, p: Principal, case_id: str, lock: bool = False) -> RegistryCase:
    q = visible_cases(p).where(RegistryCase.id == case_id)
    if lock:
        q = q.with_for_update(of=RegistryCase)
    c = s.scalars(q).first()
    if c is None:
        raise NotFound("case not found")
    return c


def move(s: Session, p: Principal, c: RegistryCase, to: str, reason: str = "", auto: bool = False) -> None:
    """Change the case's state (checked against the transition table) and record it."""
    if not lifecycle.allowed(c.state, to):
        nxt = ", ".join(lifecycle.label(x) for x in lifecycle.STATES if lifecycle.allowed(c.state, x)) or "none"
        raise Conflict(f"a {lifecycle.label(c.state)} case cannot move to '{to}'; allowed: {nxt}")
    src = c.state
    c.state, c.updated_at = to, dt.datetime.now(dt.UTC)
    audit.append(s, p, "case.state", c.id, {"from": src, "to": to, "reason": reason, "automatic": auto})


def file_case(s: Session, p: Principal, sub: Submission) -> CaseCreated:
    require(p, Perm.file)
    now = dt.datetime.now(dt.UTC)
    c = RegistryCase(id=new_id("case"), org_id=p.org_id, reporter_id=p.user_id, title=sub.title[:2000],
                     state=lifecycle.REPORTED, created_at=now, updated_at=now)
    s.add(c)
    s.add(RegistryCaseOrg(case_id=c.id, org_id=p.org_id, added_at=now))
    s.flush()
    matches = find_matches(s, p, sub, exclude_case=c.id)
    row = add_submission(s, p, c, sub)
    audit.append(s, p, "case.filed", c.id, {"submission": row.id, "content_hash": row.content_hash,
                                            "matches": [[m.case_id, round(m.score, 3)] for m in matches]})
    orgs = org_names(s)
    return CaseCreated(case=case_summary(c, orgs), submission=submission_meta(row, orgs), matches=matches)


def add_submission(s: Session, p: Principal, c: RegistryCase, sub: Submission) -> RegistrySubmission:
    row = RegistrySubmission(id=new_id("sub"), case_id=c.id, org_id=p.org_id, user_id=p.user_id,
                             submission_id=sub.id, content_hash=sub.content_hash,
                             technique_kind=sub.technique.kind, signature=dedup.signature(sub.technique),
                             body=sub.model_dump(mode="json"), created_at=dt.datetime.now(dt.UTC))
    s.add(row)
    s.flush()
    audit.append(s, p, "submission.added", c.id, {"submission": row.id, "content_hash": row.content_hash})
    return row


def find_matches(s: Session, p: Principal, sub: Submission, exclude_case: str | None = None) -> list[MatchOut]:
    """The closest known techniques among the cases the caller can see, best first (at most 5, with
    an estimated similarity of at least 0.2)."""
    sig = dedup.signature(sub.technique)
    ids = visible_cases(p).with_only_columns(RegistryCase.id).scalar_subquery()
    rows = s.execute(select(RegistrySubmission.case_id, RegistrySubmission.id, RegistrySubmission.signature,
                            RegistrySubmission.technique_kind, RegistryCase.title)
                     .join(RegistryCase, RegistryCase.id == RegistrySubmission.case_id)
                     .where(RegistrySubmission.case_id.in_(ids))).all()
    best: dict[str, MatchOut] = {}
    for case_id, sid, other, kind, title in rows:
        if case_id == exclude_case:
            continue
        score = dedup.similarity(sig, other)
        if score >= MATCH_FLOOR and (case_id not in best or best[case_id].score < score):
            best[case_id] = MatchOut(case_id=case_id, submission=sid, title=title, technique_kind=kind,
                                     score=round(score, 3))
    return sorted(best.values(), key=lambda m: (-m.score, m.case_id))[:MATCHES]


def list_cases(s: Session, p: Principal, state: str | None = None, rating: str | None = None,
               q: str | None = None, limit: int = 100) -> list[CaseSummary]:
    query = visible_cases(p)
    if state:
        query = query.where(RegistryCase.state == state)
    if q:
        query = query.where(func.lower(RegistryCase.title).contains(q.lower(), autoescape=True))
    cases = list(s.scalars(query.order_by(RegistryCase.updated_at.desc(), RegistryCase.id)
                           .limit(min(limit, LIST_LIMIT) if not rating else LIST_LIMIT)))
    ids = [c.id for c in cases]
    latest: dict[str, RegistryAssessment] = {}
    count: dict[str, int] = defaultdict(int)
    acts: dict[str, list[RegistryAction]] = defaultdict(list)
    if ids:
        for a in s.scalars(select(RegistryAssessment).where(RegistryAssessment.case_id.in_(ids))
                           .order_by(RegistryAssessment.created_at, RegistryAssessment.id)):
            latest[a.case_id] = a
            count[a.case_id] += 1
        for act in s.scalars(select(RegistryAction).where(RegistryAction.case_id.in_(ids))):
            acts[act.case_id].append(act)
    orgs = org_names(s)
    out = [case_summary(c, orgs, latest.get(c.id), count[c.id], acts[c.id]) for c in cases]
    if rating:
        out = [c for c in out if (c.rating or "none").lower() == rating.lower()]
    return out[:limit]


def case_detail(s: Session, p: Principal, case_id: str) -> CaseDetail:
    c = case_for(s, p, case_id)
    orgs = org_names(s)
    users = {k: v for k, v in s.execute(select(RegistryUser.id, RegistryUser.name))}
    subs = list(s.scalars(select(RegistrySubmission).where(RegistrySubmission.case_id == c.id)
                          .order_by(RegistrySubmission.created_at, RegistrySubmission.id)))
    rows = list(s.scalars(select(RegistryAssessment).where(RegistryAssessment.case_id == c.id)
                          .order_by(RegistryAssessment.created_at, RegistryAssessment.id)))
    acts = list(s.scalars(select(RegistryAction).where(RegistryAction.case_id == c.id)
                          .order_by(RegistryAction.created_at, RegistryAction.id)))
    notes = list(s.scalars(select(RegistryNote)
                           .where(RegistryNote.case_id == c.id,
                                  or_(RegistryNote.private.is_(False), RegistryNote.org_id == p.org_id))
                           .order_by(RegistryNote.created_at, RegistryNote.id)))
    participants = sorted(orgs.get(o, "?") for o in s.scalars(
        select(RegistryCaseOrg.org_id).where(RegistryCaseOrg.case_id == c.id)))
    metas = {r.id: assessment_meta(r, orgs) for r in rows}
    retests = [RetestOut(before=metas[r.retest_of], after=metas[r.id]) for r in rows
               if r.retest_of is not None and r.retest_of in metas]
    matches = None
    if p.can(Perm.triage) and subs:
        matches = find_matches(s, p, Submission.model_validate(subs[0].body), exclude_case=c.id)
    summary = case_summary(c, orgs, rows[-1] if rows else None, len(rows), acts)
    return CaseDetail(**summary.model_dump(), participants=participants,
                      next_states=[x for x in lifecycle.STATES if lifecycle.allowed(c.state, x)],
                      submissions=[submission_meta(r, orgs) for r in subs], assessment_list=list(metas.values()),
                      retests=retests, actions=[action_out(a, orgs) for a in acts],
                      notes=[note_out(n, orgs, users) for n in notes], matches=matches)


def transition(s: Session, p: Principal, case_id: str, to: str, reason: str) -> CaseSummary:
    c = case_for(s, p, case_id, lock=True)
    require(p, Perm.triage)
    if to not in lifecycle.STATES:
        raise Conflict(f"unknown state '{to}'; states: {', '.join(lifecycle.STATES)}")
    move(s, p, c, to, reason)
    return case_summary(c, org_names(s))


def share(s: Session, p: Principal, case_id: str, org: str) -> list[str]:
    """Add an organisation to the case; only the filing organisation may."""
    c = case_for(s, p, case_id, lock=True)
    require(p, Perm.share)
    if c.org_id != p.org_id:
        raise Forbidden("only the organisation that filed the case may share it")
    target = s.scalars(select(RegistryOrg).where(RegistryOrg.name == org)).first()
    if target is None:
        raise NotFound("organisation not found")
    if s.get(RegistryCaseOrg, (c.id, target.id)) is None:
        s.add(RegistryCaseOrg(case_id=c.id, org_id=target.id, added_at=dt.datetime.now(dt.UTC)))
        audit.append(s, p, "case.shared", c.id, {"org": target.id})
    return sorted(org_names(s).get(o, "?") for o in s.scalars(
        select(RegistryCaseOrg.org_id).where(RegistryCaseOrg.case_id == c.id)))


def get_submission(s: Session, p: Principal, case_id: str, sub_id: str) -> SubmissionOut:
    c = case_for(s, p, case_id)
    r = s.get(RegistrySubmission, sub_id)
    if r is None or r.case_id != c.id:
        raise NotFound("submission not found")
    return submission_out(p, r, org_names(s))


def add_note(s: Session, p: Principal, case_id: str, note: NoteIn) -> None:
    c = case_for(s, p, case_id)
    require(p, Perm.note)
    n = RegistryNote(id=new_id("note"), case_id=c.id, org_id=p.org_id, user_id=p.user_id, private=note.private,
                     text=note.text, created_at=dt.datetime.now(dt.UTC))
    s.add(n)
    audit.append(s, p, "note.added", c.id, {"note": n.id, "private": note.private})


def history(s: Session, p: Principal, case_id: str) -> list[HistoryEntry]:
    """The case's audit entries; entries about another organisation's private notes are left out."""
    c = case_for(s, p, case_id)
    out = []
    for r in s.scalars(select(RegistryAudit).where(RegistryAudit.case_id == c.id).order_by(RegistryAudit.seq)):
        if r.detail.get("private") and r.org_id != p.org_id:
            continue
        out.append(HistoryEntry(seq=r.seq, at=utc(r.at), actor=r.actor, kind=r.kind, detail=r.detail))
    return out


def submissions_of(s: Session, c: RegistryCase) -> Sequence[RegistrySubmission]:
    return s.scalars(select(RegistrySubmission).where(RegistrySubmission.case_id == c.id)
                     .order_by(RegistrySubmission.created_at, RegistrySubmission.id)).all()
