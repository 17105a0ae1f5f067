"""The JSON API under ``/api``: every route needs a bearer token except ``/api/login``; every error
has the shape of :class:`~jailscale.server.errors.ErrorOut`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from . import accounts, actions, assessing, audit, cases
from .auth import Perm, Principal
from .deps import authenticate, client, state
from .errors import ErrorOut, RateLimited
from .schemas import (
    ActionIn,
    ActionOut,
    ActionUpdateIn,
    AssessIn,
    AssessmentMeta,
    AssessmentOut,
    AuditOut,
    CaseCreated,
    CaseDetail,
    CaseIn,
    CaseSummary,
    ComparisonOut,
    HistoryEntry,
    LoginIn,
    MatchOut,
    MeOut,
    NewTokenOut,
    NoteIn,
    ShareIn,
    SubmissionOut,
    SuiteIn,
    SuiteOut,
    TokenIn,
    TokenOut,
    TransitionIn,
    UserIn,
    UserOut,
)

_bearer = HTTPBearer(auto_error=False, description="an API token (or a session token from /api/login)")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429, 503)}
router = APIRouter(prefix="/api", responses=ERRORS)


def caller(request: Request,
           creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    return authenticate(request, creds.credentials if creds else None)


Caller = Annotated[Principal, Depends(caller)]
CaseId = Annotated[str, "case id"]


@router.post("/login", summary="Log in with a password; returns a session token valid for 12 hours")
def login(request: Request, body: LoginIn) -> dict[str, str]:
    st = state(request)
    if not (st.limiter.hit("login", client(request)) and st.limiter.hit("login", "user:" + body.user)):
        raise RateLimited("too many login attempts; wait a minute")
    with st.registry.session(write=True) as s:
        raw, expires, _ = accounts.login(s, body.user, body.password)
    return {"token": raw, "expires_at": expires.isoformat()}


@router.post("/logout", summary="End the session of the token used")
def logout(request: Request, p: Caller) -> dict[str, bool]:
    with state(request).registry.session(write=True) as s:
        accounts.logout(s, p)
    return {"ok": True}


@router.get("/me")
def me(p: Caller) -> MeOut:
    return MeOut(user=p.user, org=p.org, role=p.role.value, permissions=[x.value for x in Perm if p.can(x)])


@router.get("/users", summary="Users of your organisation (admins)")
def users(request: Request, p: Caller) -> list[UserOut]:
    with state(request).registry.session() as s:
        return accounts.list_users(s, p)


@router.post("/users", status_code=201, summary="Add a user to your organisation (admins)")
def add_user(request: Request, p: Caller, body: UserIn) -> UserOut:
    with state(request).registry.session(write=True) as s:
        return accounts.add_user(s, p, body)


@router.get("/tokens", summary="Tokens of your organisation (admins) or your own; never the secrets")
def tokens(request: Request, p: Caller) -> list[TokenOut]:
    with state(request).registry.session() as s:
        return accounts.list_tokens(s, p)


@router.post("/tokens", status_code=201, summary="A new API token for a user of your organisation (admins)")
def add_token(request: Request, p: Caller, body: TokenIn) -> NewTokenOut:
    with state(request).registry.session(write=True) as s:
        return accounts.add_token(s, p, body)


@router.delete("/tokens/{token_id}", summary="Revoke a token (your own, or any of your organisation's as admin)")
def revoke_token(request: Request, p: Caller, token_id: str) -> TokenOut:
    with state(request).registry.session(write=True) as s:
        return accounts.revoke_token(s, p, token_id)


@router.get("/suites", summary="Suites your organisation uploaded, and public ones")
def suites(request: Request, p: Caller) -> list[SuiteOut]:
    with state(request).registry.session() as s:
        return accounts.list_suites(s, p)


@router.post("/suites", status_code=201, summary="Upload a suite (private to your organisation by default)")
def add_suite(request: Request, p: Caller, body: SuiteIn) -> SuiteOut:
    with state(request).registry.session(write=True) as s:
        return accounts.add_suite(s, p, body)


@router.get("/suites/{suite_id}")
def suite(request: Request, p: Caller, suite_id: str) -> dict[str, Any]:
    with state(request).registry.session() as s:
        return accounts.get_suite(s, p, suite_id)


@router.get("/cases", summary="Cases you can see, newest change first")
def list_cases(request: Request, p: Caller,
               state_: Annotated[str | None, Query(alias="state", max_length=32)] = None,
               rating: Annotated[str | None, Query(max_length=32)] = None,
               q: Annotated[str | None, Query(max_length=200, description="words in the title")] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CaseSummary]:
    with state(request).registry.session() as s:
        return cases.list_cases(s, p, state_, rating, q, limit)


@router.post("/cases", status_code=201, summary="File a case from a submission; returns near-duplicate matches")
def file_case(request: Request, p: Caller, body: CaseIn) -> CaseCreated:
    with state(request).registry.session(write=True) as s:
        return cases.file_case(s, p, body.submission)


@router.get("/cases/{case_id}")
def case(request: Request, p: Caller, case_id: str) -> CaseDetail:
    with state(request).registry.session() as s:
        return cases.case_detail(s, p, case_id)


@router.post("/cases/{case_id}/transition", summary="Move the case to another state (see the lifecycle)")
def transition(request: Request, p: Caller, case_id: str, body: TransitionIn) -> CaseSummary:
    with state(request).registry.session(write=True) as s:
        return cases.transition(s, p, case_id, body.to, body.reason)


@router.post("/cases/{case_id}/participants", summary="Let another organisation take part in the case")
def share(request: Request, p: Caller, case_id: str, body: ShareIn) -> list[str]:
    with state(request).registry.session(write=True) as s:
        return cases.share(s, p, case_id, body.org)


@router.get("/cases/{case_id}/submissions/{sub_id}", summary="A submission with its evidence (responses "
            "redacted without the evidence permission)")
def submission(request: Request, p: Caller, case_id: str, sub_id: str) -> SubmissionOut:
    with state(request).registry.session() as s:
        return cases.get_submission(s, p, case_id, sub_id)


@router.get("/cases/{case_id}/matches", summary="Known techniques closest to this case's (for triagers)")
def matches(request: Request, p: Caller, case_id: str) -> list[MatchOut]:
    with state(request).registry.session() as s:
        detail = cases.case_detail(s, p, case_id)
    cases.require(p, Perm.triage)
    return detail.matches or []


@router.get("/cases/{case_id}/assessments")
def assessments(request: Request, p: Caller, case_id: str) -> list[AssessmentMeta]:
    with state(request).registry.session() as s:
        return assessing.list_for(s, p, case_id)


@router.post("/cases/{case_id}/assessments", status_code=201,
             summary="Assess the case's evidence (or your own) on the registry; a re-test names retest_of")
def assess(request: Request, p: Caller, case_id: str, body: AssessIn) -> AssessmentMeta:
    reg = state(request).registry
    with reg.session() as s:
        prep = assessing.prepare(s, p, case_id, body)
    result = assessing.compute(prep)
    with reg.session(write=True) as s:
        return assessing.record(s, p, prep, result)


@router.get("/cases/{case_id}/assessments/{assessment_id}")
def assessment(request: Request, p: Caller, case_id: str, assessment_id: str) -> AssessmentOut:
    with state(request).registry.session() as s:
        return assessing.get(s, p, case_id, assessment_id)


@router.get("/cases/{case_id}/compare", summary="Two assessments metric by metric, naming the deciding metric")
def compare(request: Request, p: Caller, case_id: str, a: Annotated[str, Query(max_length=40)],
            b: Annotated[str, Query(max_length=40)]) -> ComparisonOut:
    with state(request).registry.session() as s:
        return assessing.comparison(s, p, case_id, a, b)


@router.post("/cases/{case_id}/actions", status_code=201,
             summary="Decide an action on an assessment's recommendation (a reason when deciding otherwise)")
def decide(request: Request, p: Caller, case_id: str, body: ActionIn) -> ActionOut:
    with state(request).registry.session(write=True) as s:
        return actions.decide(s, p, case_id, body)


@router.patch("/cases/{case_id}/actions/{action_id}", summary="Change an action's status")
def update_action(request: Request, p: Caller, case_id: str, action_id: str, body: ActionUpdateIn) -> ActionOut:
    with state(request).registry.session(write=True) as s:
        return actions.update(s, p, case_id, action_id, body)


@router.post("/cases/{case_id}/notes", status_code=201, summary="Add a note (private to your organisation by default)")
def add_note(request: Request, p: Caller, case_id: str, body: NoteIn) -> dict[str, bool]:
    with state(request).registry.session(write=True) as s:
        cases.add_note(s, p, case_id, body)
    return {"ok": True}


@router.get("/cases/{case_id}/history", summary="The case's entries in the audit log")
def history(request: Request, p: Caller, case_id: str) -> list[HistoryEntry]:
    with state(request).registry.session() as s:
        return cases.history(s, p, case_id)


@router.get("/audit/verify", summary="Check the audit log's hash chain (admins)")
def verify(request: Request, p: Caller) -> AuditOut:
    cases.require(p, Perm.manage)
    with state(request).registry.session() as s:
        return AuditOut(**audit.verify(s).to_dict())
