"""The web pages without a browser: sessions, CSRF, escaping, redaction, the chart."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient

from jailscale.server.app import create_app
from jailscale.server.auth import Limits
from jailscale.server.seed import example_submission
from registry_kit import GENEROUS, PASSWORD, Kit

HOSTILE_TITLE = "<script>window.__pwned=1</script> & <img src=x onerror=alert(1)>"
HOSTILE_RESPONSE = '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>'


def _login_token(c: TestClient) -> str:
    """The login form's CSRF token (its cookie is kept by the client)."""
    page = c.get("/ui/login")
    assert page.status_code == 200
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert m
    return m.group(1)


def _login(c: TestClient, user: str = "lab-admin") -> str:
    token = _login_token(c)
    r = c.post("/ui/login", data={"user": user, "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/cases"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    page = c.get("/ui/cases/new").text
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert m
    return m.group(1)


def _file(c: TestClient, csrf: str, **kw: object) -> str:
    text = yaml.safe_dump(example_submission(**kw).model_dump(mode="json"))  # type: ignore[arg-type]
    r = c.post("/ui/cases", data={"submission": text, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def test_pages_need_a_session(sqlite_kit: Kit) -> None:
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        r = c.get("/ui/cases", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/ui/login"
        # An API token is not a session.
        c.cookies.set("jailscale_session", sqlite_kit.tokens["lab-admin"])
        assert c.get("/ui/cases", follow_redirects=False).status_code == 303
        c.cookies.clear()
        r = c.post("/ui/login", data={"user": "lab-admin", "password": "wrong password!", "csrf": _login_token(c)})
        assert r.status_code == 401 and "Wrong user name or password" in r.text


def test_login_form_needs_its_own_csrf_token(sqlite_kit: Kit) -> None:
    """Login CSRF: a form on another site that posts the attacker's user name and password would log
    the victim's browser into the attacker's account. Such a post has neither the login form's cookie
    nor the token tied to it, and is refused before any password is checked."""
    creds = {"user": "lab-admin", "password": PASSWORD}
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        # a cross-site form: no cookie of ours, no token (or a guessed one)
        for extra in ({}, {"csrf": "0" * 64}):
            r = c.post("/ui/login", data={**creds, **extra}, follow_redirects=False)
            assert r.status_code == 403 and "did not come from this registry" in r.text
            assert "jailscale_session" not in r.headers.get("set-cookie", "")
        # the token of one browser's form does not work with another browser's cookie
        token = _login_token(c)
        c.cookies.set("jailscale_login", "A" * 43, path="/ui/login")
        r = c.post("/ui/login", data={**creds, "csrf": token}, follow_redirects=False)
        assert r.status_code == 403 and "jailscale_session" not in r.headers.get("set-cookie", "")
        # a browser that says the form came from another site is refused even with a valid pair
        token = _login_token(c)
        r = c.post("/ui/login", data={**creds, "csrf": token}, headers={"Sec-Fetch-Site": "cross-site"},
                   follow_redirects=False)
        assert r.status_code == 403 and "jailscale_session" not in r.headers.get("set-cookie", "")
        # the form served here works, and its cookie is cleared once logged in
        r = c.post("/ui/login", data={**creds, "csrf": token}, follow_redirects=False)
        assert r.status_code == 303 and "jailscale_session=" in r.headers["set-cookie"]
        assert 'jailscale_login=""' in r.headers["set-cookie"]
        cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("jailscale_login=\"")]
        assert cookie and "Path=/ui/login" in cookie[0]
        # a refused form is not a counted login attempt: the limit is left for real ones
    with TestClient(create_app(sqlite_kit.registry, Limits(logins=2))) as c:
        for _ in range(5):
            assert c.post("/ui/login", data=creds, follow_redirects=False).status_code == 403
        assert c.post("/ui/login", data={**creds, "csrf": _login_token(c)}, follow_redirects=False).status_code == 303


def test_session_forms_refuse_cross_site_posts(sqlite_kit: Kit) -> None:
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        csrf = _login(c)
        text = yaml.safe_dump(example_submission().model_dump(mode="json"))
        r = c.post("/ui/cases", data={"submission": text, "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403
        assert c.get("/api/cases", headers=sqlite_kit.auth("lab-admin")).json() == []
        r = c.post("/ui/cases", data={"submission": text, "csrf": csrf}, headers={"Sec-Fetch-Site": "same-origin"},
                   follow_redirects=False)
        assert r.status_code == 303


def test_forms_need_the_csrf_token(sqlite_kit: Kit) -> None:
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        csrf = _login(c)
        text = yaml.safe_dump(example_submission().model_dump(mode="json"))
        for sent in ("", "0" * 64):
            r = c.post("/ui/cases", data={"submission": text, "csrf": sent})
            assert r.status_code == 403 and "CSRF" in r.text
        assert c.get("/api/cases", headers=sqlite_kit.auth("lab-admin")).json() == []
        _file(c, csrf)
        assert len(c.get("/api/cases", headers=sqlite_kit.auth("lab-admin")).json()) == 1


def test_attacker_text_is_escaped_and_redacted_by_default(sqlite_kit: Kit) -> None:
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        csrf = _login(c)
        cid = _file(c, csrf, title=HOSTILE_TITLE, response=HOSTILE_RESPONSE)
        page = c.get(f"/ui/cases/{cid}").text
        assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
        assert "<img src=x" not in page
        sub = c.get(f"/api/cases/{cid}", headers=sqlite_kit.auth("lab-admin")).json()["submissions"][0]["id"]
        assert HOSTILE_RESPONSE not in page and "onerror" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
        shown = c.get(f"/ui/cases/{cid}", params={"evidence": sub}).text
        assert "&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in shown and "<img src=x" not in shown
        c.post(f"/ui/cases/{cid}/transition", data={"to": "triaged", "csrf": csrf})
        c.post(f"/ui/cases/{cid}/notes", data={"text": HOSTILE_RESPONSE, "private": "1", "csrf": csrf})
        page = c.get(f"/ui/cases/{cid}").text
        assert "<script>window.__pwned=3" not in page and "state <strong id=\"case-state\">triaged" in page
        # An observer (no evidence permission) sees the marker, never the response.
        c.cookies.clear()
        r = c.get(f"/api/cases/{cid}/submissions/{sub}", headers=sqlite_kit.auth("lab-observer"))
        assert r.json()["redacted"] and "__pwned=2" not in r.text and "__pwned=3" not in r.text


def test_case_page_shows_chart_actions_and_comparison(sqlite_kit: Kit) -> None:
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        csrf = _login(c)
        cid = _file(c, csrf)
        c.post(f"/ui/cases/{cid}/transition", data={"to": "triaged", "csrf": csrf})
        r = c.post(f"/ui/cases/{cid}/assess", data={"suite": "practice", "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303, r.text
        other = yaml.safe_dump(example_submission(sid="second", unlocked=16).model_dump(mode="json"))
        c.post(f"/ui/cases/{cid}/assess", data={"suite": "practice", "submission": other, "csrf": csrf})
        page = c.get(f"/ui/cases/{cid}").text
        assert page.count('<svg class="chart"') == 2 and 'data-metric="HD"' in page
        ids = re.findall(r'id="assessment-(asmt_[0-9a-f]{24})"', page)
        assert len(ids) == 2
        comp = c.get(f"/ui/cases/{cid}/compare", params={"a": ids[0], "b": ids[1]}).text
        assert 'id="comparison"' in comp and 'id="deciding"' in comp
        r = c.post(f"/ui/cases/{cid}/actions", data={"assessment": ids[1], "owner": "safety team", "csrf": csrf},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        page = c.get(f"/ui/cases/{cid}").text
        assert "safety team" in page and "action decided" in page
        hist = c.get(f"/ui/cases/{cid}/history").text
        assert "action.decided" in hist and "assessment.added" in hist
        # A filter that matches nothing, and one that matches.
        assert "No cases match" in c.get("/ui/cases", params={"state": "closed"}).text
        assert cid in c.get("/ui/cases", params={"state": "action_decided"}).text


def test_web_pages_refuse_outsiders_and_leak_nothing(sqlite_kit: Kit) -> None:
    """The web pages' own access matrix (docs/registry/authz-matrix.md covers the API): every case
    page and form of a Lab case, opened or posted by a Gov assessor (Gov not taking part) and by a Lab
    reporter who did not file it, with a valid session and CSRF token: 404 (or 403), nothing changed,
    and no page shows the case's title, response text or note."""
    from sqlalchemy import update

    from jailscale.server.auth import hash_password
    from jailscale.store.registry_models import RegistryUser

    title, response, note = "MARKER-UI-TITLE", "MARKER-UI-RESPONSE", "MARKER-UI-NOTE"
    with sqlite_kit.registry.session(write=True) as s:
        s.execute(update(RegistryUser).where(RegistryUser.name == "lab-reporter")
                  .values(password_hash=hash_password(PASSWORD)))
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as owner:
        csrf = _login(owner)
        cid = _file(owner, csrf, title=title, response=response)
        owner.post(f"/ui/cases/{cid}/transition", data={"to": "triaged", "csrf": csrf})
        owner.post(f"/ui/cases/{cid}/assess", data={"suite": "practice", "csrf": csrf})
        detail = owner.get(f"/api/cases/{cid}", headers=sqlite_kit.auth("lab-admin")).json()
        aid, sid = detail["assessment_list"][0]["id"], detail["submissions"][0]["id"]
        owner.post(f"/ui/cases/{cid}/actions", data={"assessment": aid, "owner": "safety team", "csrf": csrf})
        owner.post(f"/ui/cases/{cid}/notes", data={"text": note, "private": "1", "csrf": csrf})
        detail = owner.get(f"/api/cases/{cid}", headers=sqlite_kit.auth("lab-admin")).json()
        xid = detail["actions"][0]["id"]
        assert title in owner.get(f"/ui/cases/{cid}").text  # the control: the owner's pages show it
    before = (detail["state"], len(detail["notes"]), len(detail["assessment_list"]), len(detail["actions"]))
    pages = [f"/ui/cases/{cid}", f"/ui/cases/{cid}?evidence={sid}", f"/ui/cases/{cid}/compare?a={aid}&b={aid}",
             f"/ui/cases/{cid}/history"]
    forms = [(f"/ui/cases/{cid}/transition", {"to": "closed", "reason": "x"}),
             (f"/ui/cases/{cid}/assess", {"suite": "practice"}),
             (f"/ui/cases/{cid}/actions", {"assessment": aid, "owner": "intruder"}),
             (f"/ui/cases/{cid}/actions/{xid}", {"status": "cancelled", "reason": "x"}),
             (f"/ui/cases/{cid}/notes", {"text": "intruder note"})]
    for user in ("gov-assessor", "lab-reporter"):
        with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
            token = _login(c, user)
            listed = c.get("/ui/cases")
            assert listed.status_code == 200 and title not in listed.text and cid not in listed.text, user
            answers = [c.get(url) for url in pages]
            answers += [c.post(url, data={**data, "csrf": token}, follow_redirects=False) for url, data in forms]
            for r in answers:
                assert r.status_code in (403, 404), (user, r.request.url, r.status_code)
                assert not any(m in r.text for m in (title, response, note)), (user, r.request.url)
    with TestClient(create_app(sqlite_kit.registry, GENEROUS)) as c:
        d = c.get(f"/api/cases/{cid}", headers=sqlite_kit.auth("lab-admin")).json()
    assert (d["state"], len(d["notes"]), len(d["assessment_list"]), len(d["actions"])) == before
    assert d["actions"][0]["status"] == "open" and d["actions"][0]["owner"] == "safety team"
