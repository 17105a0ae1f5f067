"""The web pages under ``/ui``, rendered on the server with Jinja2 (autoescaped: transcripts, titles
and notes are shown as text), no scripts. Logged-in users hold a session cookie (HttpOnly,
SameSite=Strict); every form post carries a CSRF token derived from the session (``auth.csrf_token``)
and is refused without it; so is the login form, with a token tied to a nonce in its own cookie
(before there is a session). A form a browser says came from another site is refused as well."""

from __future__ import annotations

import hmac
import json
import re
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from ..errors import UserError
from ..formats import Submission
from ..formats.io import validate
from ..textsafe import quote
from . import accounts, actions, assessing, cases, lifecycle
from .auth import SESSION_HOURS, Perm, Principal, csrf_token
from .chart import chart
from .deps import SESSION_COOKIE, authenticate, client, state
from .errors import ApiError, Forbidden, RateLimited
from .schemas import ActionIn, ActionUpdateIn, AssessIn, NoteIn
from .views import REDACTED

router = APIRouter(prefix="/ui", include_in_schema=False)
#: The login form's cookie: a random nonce (32 bytes) whose HMAC the form carries as its CSRF token,
#: so a login can be posted only from a form this registry served (no login CSRF: a forged form
#: cannot log a victim's browser into the attacker's account).
LOGIN_COOKIE = "jailscale_login"
LOGIN_FORM_SECONDS = 3600
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")
_ENV = Environment(loader=PackageLoader("jailscale.server", "templates"), autoescape=True,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV.globals["state_label"] = lifecycle.label
MAX_TEXT = 8 * 1024 * 1024


def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(name).render(**ctx), status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    if status == 401:
        return RedirectResponse("/ui/login", status_code=303)
    return render("error.html.j2", status=status, status_code=status, message=message, me=None, csrf="")


def _session(request: Request) -> tuple[Principal, str]:
    raw = request.cookies.get(SESSION_COOKIE, "")
    return authenticate(request, raw, kind="session"), raw


def _cross_site(request: Request) -> None:
    """Refuse a form that a browser says was posted from another site (Fetch Metadata), whatever it
    carries: a second line behind the CSRF tokens and SameSite cookies."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        raise Forbidden("a form posted from another site is refused; use the registry's own pages")


def _check_csrf(request: Request, raw: str, sent: str) -> None:
    _cross_site(request)
    if not sent or not hmac.compare_digest(csrf_token(raw), sent):
        raise Forbidden("the form's CSRF token is missing or wrong; reload the page and try again")


def _page(request: Request, name: str, p: Principal, raw: str, **ctx: Any) -> HTMLResponse:
    return render(name, me=p, csrf=csrf_token(raw), perms={x.name for x in Perm if p.can(x)}, **ctx)


def _back(case_id: str, **query: str) -> RedirectResponse:
    q = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(f"/ui/cases/{case_id}{q}", status_code=303)


def _parse_submission(text: str) -> Submission:
    if not text.strip():
        raise UserError("give a submission: choose a file or paste its text")
    if len(text) > MAX_TEXT:
        raise ApiError("the submission text is over 8 MiB", 413)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UserError(f"the submission is not valid YAML or JSON: {str(e).splitlines()[0]}") from None
    return validate(Submission, data, "submission")


def _login_nonce(request: Request) -> str:
    """The login form's own secret, from its cookie when that holds one, else a new one."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    return nonce if _NONCE.fullmatch(nonce) else secrets.token_urlsafe(32)


def _login_page(request: Request, nonce: str, status: int = 200, error: str = "") -> HTMLResponse:
    """The login form with its CSRF token (signed double submit: the form carries an HMAC of the
    nonce in the HttpOnly, SameSite=Strict cookie it sets; a cross-site form has neither)."""
    resp = render("login.html.j2", status=status, me=None, csrf=csrf_token(nonce), error=error)
    resp.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_FORM_SECONDS, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/ui/login")
    return resp


@router.get("/login")
def login_form(request: Request, error: str = "") -> HTMLResponse:
    return _login_page(request, _login_nonce(request), error=error[:200])


@router.post("/login")
def login(request: Request, user: str = Form(max_length=200), password: str = Form(max_length=1000),
          csrf: str = Form("", max_length=200)) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    _cross_site(request)
    if not _NONCE.fullmatch(nonce) or not csrf or not hmac.compare_digest(csrf_token(nonce), csrf):
        # no password is checked and no attempt counted: a forged form learns nothing
        return _login_page(request, _login_nonce(request), status=403,
                           error="The login form expired or did not come from this registry; log in again.")
    st = state(request)
    if not (st.limiter.hit("login", client(request)) and st.limiter.hit("login", "user:" + user)):
        raise RateLimited("too many login attempts; wait a minute")
    try:
        with st.registry.session(write=True) as s:
            raw, _, _ = accounts.login(s, user, password)
    except ApiError as e:
        if e.status == 401:
            return _login_page(request, nonce, status=401, error="Wrong user name or password.")
        raise
    resp = RedirectResponse("/ui/cases", status_code=303)
    resp.delete_cookie(LOGIN_COOKIE, path="/ui/login")
    resp.set_cookie(SESSION_COOKIE, raw, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")
    return resp


@router.post("/logout")
def logout(request: Request, csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    with state(request).registry.session(write=True) as s:
        accounts.logout(s, p)
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/cases")
def case_list(request: Request, state_: Annotated[str, Query(alias="state", max_length=32)] = "",
              rating: Annotated[str, Query(max_length=32)] = "",
              q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    p, raw = _session(request)
    filters = {"state": state_[:32], "rating": rating[:32], "q": q[:200]}
    with state(request).registry.session() as s:
        found = cases.list_cases(s, p, filters["state"] or None, filters["rating"] or None, filters["q"] or None)
    return _page(request, "cases.html.j2", p, raw, cases=found, filters=filters, states=lifecycle.STATES,
                 ratings=("None", "Low", "Medium", "High", "Critical"))


@router.get("/cases/new")
def new_case_form(request: Request) -> HTMLResponse:
    p, raw = _session(request)
    return _page(request, "new_case.html.j2", p, raw, text="", error="")


def _text(typed: str, upload: UploadFile | None) -> str:
    """The submission from the form: the uploaded file when one was chosen, else the pasted text."""
    if upload is not None and upload.filename:
        data = upload.file.read(MAX_TEXT + 1)
        if len(data) > MAX_TEXT:
            raise ApiError("the submission file is over 8 MiB", 413)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(f"the file {quote(upload.filename)} is not UTF-8 text") from None
    return typed


@router.post("/cases")
def new_case(request: Request, submission: str = Form("", max_length=MAX_TEXT), file: UploadFile | None = None,
             csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    submission = _text(submission, file)
    try:
        sub = _parse_submission(submission)
    except UserError as e:
        return _page(request, "new_case.html.j2", p, raw, text=submission, error=str(e))
    with state(request).registry.session(write=True) as s:
        created = cases.file_case(s, p, sub)
    return _back(created.case.id)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, evidence: str = "") -> HTMLResponse:
    p, raw = _session(request)
    with state(request).registry.session() as s:
        detail = cases.case_detail(s, p, case_id)
        shown = cases.get_submission(s, p, case_id, evidence) if evidence else None
        full = {a.id: assessing.get(s, p, case_id, a.id).assessment for a in detail.assessment_list}
        suites = accounts.list_suites(s, p)
    charts = {aid: chart(body) for aid, body in full.items()}
    return _page(request, "case.html.j2", p, raw, c=detail, shown=shown, charts=charts, bodies=full,
                 suites=suites, redacted=REDACTED, json=json)


@router.post("/cases/{case_id}/transition")
def transition(request: Request, case_id: str, to: str = Form(max_length=32), reason: str = Form("", max_length=2000),
               csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    with state(request).registry.session(write=True) as s:
        cases.transition(s, p, case_id, to, reason)
    return _back(case_id)


@router.post("/cases/{case_id}/assess")
def assess(request: Request, case_id: str, suite: str = Form("practice", max_length=80),
           submission: str = Form("", max_length=MAX_TEXT), file: UploadFile | None = None,
           retest_of: str = Form("", max_length=40), csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    submission = _text(submission, file)
    sub = _parse_submission(submission) if submission.strip() else None
    req = AssessIn(suite=suite, submission=sub, retest_of=retest_of or None)
    reg = state(request).registry
    with reg.session() as s:
        prep = assessing.prepare(s, p, case_id, req)
    result = assessing.compute(prep)
    with reg.session(write=True) as s:
        assessing.record(s, p, prep, result)
    return _back(case_id)


@router.get("/cases/{case_id}/compare")
def compare(request: Request, case_id: str, a: str = "", b: str = "") -> HTMLResponse:
    p, raw = _session(request)
    with state(request).registry.session() as s:
        detail = cases.case_detail(s, p, case_id)
        comp = assessing.comparison(s, p, case_id, a[:40], b[:40])
    return _page(request, "compare.html.j2", p, raw, c=detail, comp=comp)


@router.post("/cases/{case_id}/actions")
def decide(request: Request, case_id: str, assessment: str = Form(max_length=40), owner: str = Form(max_length=200),
           action: str = Form("", max_length=32), reason: str = Form("", max_length=2000),
           csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    req = ActionIn(assessment=assessment, owner=owner, action=action or None, reason=reason)
    with state(request).registry.session(write=True) as s:
        actions.decide(s, p, case_id, req)
    return _back(case_id)


@router.post("/cases/{case_id}/actions/{action_id}")
def update_action(request: Request, case_id: str, action_id: str, status: str = Form(max_length=16),
                  reason: str = Form("", max_length=2000), csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    req = ActionUpdateIn.model_validate({"status": status, "reason": reason})
    with state(request).registry.session(write=True) as s:
        actions.update(s, p, case_id, action_id, req)
    return _back(case_id)


@router.post("/cases/{case_id}/notes")
def add_note(request: Request, case_id: str, text: str = Form(max_length=20000), private: str = Form(""),
             csrf: str = Form("", max_length=200)) -> Response:
    p, raw = _session(request)
    _check_csrf(request, raw, csrf)
    with state(request).registry.session(write=True) as s:
        cases.add_note(s, p, case_id, NoteIn(text=text, private=bool(private)))
    return _back(case_id)


@router.get("/cases/{case_id}/history")
def history(request: Request, case_id: str) -> HTMLResponse:
    p, raw = _session(request)
    with state(request).registry.session() as s:
        detail = cases.case_detail(s, p, case_id)
        entries = cases.history(s, p, case_id)
    return _page(request, "history.html.j2", p, raw, c=detail, entries=entries, json=json)
