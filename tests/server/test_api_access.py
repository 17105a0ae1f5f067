"""Access control, the error shape, bad input and a broken database, over the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jailscale.server.app import create_app
from jailscale.server.auth import Limits
from jailscale.server.db import Registry
from jailscale.server.seed import example_submission
from registry_kit import GENEROUS, PASSWORD, Kit

SECRET = "PLACEHOLDER-RESPONSE-SECRET"


def _file(client: TestClient, kit: Kit, user: str = "lab-reporter") -> str:
    sub = example_submission(response=SECRET).model_dump(mode="json")
    r = client.post("/api/cases", json={"submission": sub}, headers=kit.auth(user))
    assert r.status_code == 201, r.text
    return str(r.json()["case"]["id"])


def _shape(r: Any, status: int) -> dict[str, Any]:
    """Every error: exactly {"error": {"status", "code", "message"}} with the HTTP status inside."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["message"] and "\n" not in body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_one_error_shape(client: TestClient, kit: Kit) -> None:
    assert _shape(client.get("/api/cases"), 401)["code"] == "unauthorised"
    assert _shape(client.get("/api/cases", headers={"Authorization": "Bearer nope"}), 401)["code"] == "unauthorised"
    assert _shape(client.get("/api/nowhere", headers=kit.auth("lab-admin")), 404)["code"] == "not_found"
    assert _shape(client.delete("/api/cases", headers=kit.auth("lab-admin")), 405)["code"] == "method_not_allowed"
    bad = _shape(client.post("/api/cases", json={"submission": {"id": "x"}}, headers=kit.auth("lab-admin")), 422)
    assert "submission.title" in bad["message"]
    assert _shape(client.post("/api/cases", content=b"{not json", headers={**kit.auth("lab-admin"),
                                                                         "Content-Type": "application/json"}), 422)
    assert _shape(client.get("/api/cases/case_000000000000000000000000", headers=kit.auth("lab-admin")),
                  404)["message"] == "case not found"


def test_bad_input_is_a_4xx_that_quotes_it(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    hdr = kit.auth("lab-assessor")
    client.post(f"/api/cases/{cid}/transition", json={"to": "triaged"}, headers=hdr)
    err = _shape(client.post(f"/api/cases/{cid}/assessments", json={"suite": "suite_" + "0" * 24}, headers=hdr), 404)
    assert err["message"] == "suite not found"
    err = _shape(client.post(f"/api/cases/{cid}/assessments", json={"judge": "<script>"}, headers=hdr), 422)
    assert "judge" in err["message"]


def test_body_bound_is_a_413(kit: Kit) -> None:
    with TestClient(create_app(kit.registry, GENEROUS, max_body=1000), raise_server_exceptions=False) as c:
        r = c.post("/api/cases", content=b"x" * 5000, headers={**kit.auth("lab-admin"),
                                                                 "Content-Type": "application/json"})
        assert _shape(r, 413)["code"] == "too_large"


def test_unreachable_database_is_a_503(kit: Kit) -> None:
    dead = Registry.__new__(Registry)
    from sqlalchemy import create_engine

    Registry.__init__(dead, create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                          connect_args={"connect_timeout": 2}))
    with TestClient(create_app(dead, GENEROUS), raise_server_exceptions=False) as c:
        r = c.get("/api/cases", headers=kit.auth("lab-admin"))
        err = _shape(r, 503)
        assert err["code"] == "unavailable" and "database" in err["message"]
        assert "nobody" not in r.text and "127.0.0.1" not in r.text
        assert _shape(c.get("/healthz"), 503)
    dead.close()


def _lose_database(kit: Kit) -> None:
    """Take the database away from under a running service: PostgreSQL's schema dropped (its tables
    gone), or the SQLite file replaced by one that is not a database (its pooled connections closed,
    as when they are recycled)."""
    engine = kit.registry.engine
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        engine.dispose()
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.write_bytes(b"not a database " * 100)
    else:
        from sqlalchemy import create_engine, text

        url = engine.url
        schema = str(url.query["options"]).removeprefix("-csearch_path=")
        admin = create_engine(url.difference_update_query(["options"]))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_database_lost_while_serving_is_a_503(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    assert client.get("/healthz").status_code == 200
    _lose_database(kit)
    hdr = kit.auth("lab-admin")
    for r in (client.get("/api/cases", headers=hdr), client.get(f"/api/cases/{cid}", headers=hdr),
              client.post(f"/api/cases/{cid}/notes", json={"text": "x"}, headers=hdr),
              client.post("/api/login", json={"user": "lab-admin", "password": PASSWORD}), client.get("/healthz")):
        err = _shape(r, 503)
        assert err["code"] == "unavailable" and r.headers["retry-after"] == "30"
        assert "sqlite" not in r.text.lower() and "relation" not in r.text and "schema" not in r.text
    client.cookies.set("jailscale_session", "jss_anything")
    page = client.get("/ui/cases")
    assert page.status_code == 503 and "unavailable" in page.text


def test_reporter_sees_only_its_own_cases(client: TestClient, kit: Kit) -> None:
    mine = _file(client, kit, "lab-reporter")
    theirs = _file(client, kit, "lab-assessor")
    listed = {c["id"] for c in client.get("/api/cases", headers=kit.auth("lab-reporter")).json()}
    assert mine in listed and theirs not in listed
    _shape(client.get(f"/api/cases/{theirs}", headers=kit.auth("lab-reporter")), 404)


def test_other_organisations_see_nothing_until_shared(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    for user in ("gov-admin", "gov-observer", "other-admin"):
        assert client.get("/api/cases", headers=kit.auth(user)).json() == []
        assert _shape(client.get(f"/api/cases/{cid}", headers=kit.auth(user)), 404)["message"] == "case not found"
        _shape(client.post(f"/api/cases/{cid}/notes", json={"text": "x"}, headers=kit.auth(user)), 404)
    client.post(f"/api/cases/{cid}/participants", json={"org": "Gov"}, headers=kit.auth("lab-admin"))
    assert client.get(f"/api/cases/{cid}", headers=kit.auth("gov-observer")).status_code == 200
    _shape(client.get(f"/api/cases/{cid}", headers=kit.auth("other-admin")), 404)
    # Only the filing organisation shares.
    _shape(client.post(f"/api/cases/{cid}/participants", json={"org": "Other"}, headers=kit.auth("gov-admin")), 403)


def test_response_text_is_redacted_without_the_evidence_permission(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    client.post(f"/api/cases/{cid}/participants", json={"org": "Gov"}, headers=kit.auth("lab-admin"))
    sid = client.get(f"/api/cases/{cid}", headers=kit.auth("lab-admin")).json()["submissions"][0]["id"]
    for user, visible in (("lab-reporter", True), ("lab-assessor", True), ("gov-assessor", True),
                          ("lab-observer", False), ("gov-observer", False)):
        r = client.get(f"/api/cases/{cid}/submissions/{sid}", headers=kit.auth(user))
        assert r.status_code == 200
        assert (SECRET in r.text) is visible, user
        assert r.json()["redacted"] is (not visible)


def test_private_notes_and_suites_stay_inside_their_organisation(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    client.post(f"/api/cases/{cid}/participants", json={"org": "Gov"}, headers=kit.auth("lab-admin"))
    client.post(f"/api/cases/{cid}/notes", json={"text": "LAB-ONLY-NOTE", "private": True},
                headers=kit.auth("lab-assessor"))
    client.post(f"/api/cases/{cid}/notes", json={"text": "SHARED-NOTE", "private": False},
                headers=kit.auth("lab-assessor"))
    gov = client.get(f"/api/cases/{cid}", headers=kit.auth("gov-assessor")).text
    lab = client.get(f"/api/cases/{cid}", headers=kit.auth("lab-observer")).text
    assert "SHARED-NOTE" in gov and "LAB-ONLY-NOTE" not in gov
    assert "LAB-ONLY-NOTE" in lab
    hist = client.get(f"/api/cases/{cid}/history", headers=kit.auth("gov-assessor")).json()
    assert sum(e["kind"] == "note.added" for e in hist) == 1

    suite = {"name": "private-suite", "behaviours": [{"id": "b1", "request": "PLACEHOLDER", "category": "c",
                                                      "tier": "L"}]}
    r = client.post("/api/suites", json={"suite": suite}, headers=kit.auth("lab-assessor"))
    assert r.status_code == 201 and r.json()["private"]
    sid = r.json()["id"]
    assert client.get("/api/suites", headers=kit.auth("gov-admin")).json() == []
    _shape(client.get(f"/api/suites/{sid}", headers=kit.auth("gov-admin")), 404)
    assert client.get(f"/api/suites/{sid}", headers=kit.auth("lab-observer")).status_code == 200


def test_roles_are_enforced(client: TestClient, kit: Kit) -> None:
    cid = _file(client, kit)
    obs = kit.auth("lab-observer")
    assert _shape(client.post("/api/cases", json={"submission": example_submission().model_dump(mode="json")},
                              headers=obs), 403)["code"] == "forbidden"
    _shape(client.post(f"/api/cases/{cid}/transition", json={"to": "triaged"}, headers=obs), 403)
    _shape(client.post(f"/api/cases/{cid}/transition", json={"to": "triaged"}, headers=kit.auth("lab-reporter")), 403)
    _shape(client.get("/api/users", headers=kit.auth("lab-assessor")), 403)
    _shape(client.get("/api/audit/verify", headers=kit.auth("lab-assessor")), 403)


def test_tokens_are_hashed_revocable_and_managed_per_organisation(client: TestClient, kit: Kit) -> None:
    admin = kit.auth("lab-admin")
    r = client.post("/api/users", json={"name": "new-assessor", "role": "assessor"}, headers=admin)
    assert r.status_code == 201
    r = client.post("/api/tokens", json={"user": "new-assessor"}, headers=admin)
    assert r.status_code == 201
    token = r.json()["token"]
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "assessor"
    with kit.registry.engine.connect() as conn:
        stored = [row[0] for row in conn.exec_driver_sql("SELECT token_hash FROM registry_tokens")]
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert all("token" not in t for t in client.get("/api/tokens", headers=admin).json())
    # Another organisation's admin can neither mint for nor revoke this user's tokens.
    _shape(client.post("/api/tokens", json={"user": "new-assessor"}, headers=kit.auth("gov-admin")), 404)
    _shape(client.delete(f"/api/tokens/{r.json()['id']}", headers=kit.auth("gov-admin")), 404)
    assert client.delete(f"/api/tokens/{r.json()['id']}", headers=admin).status_code == 200
    _shape(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_login_gives_a_session_and_is_rate_limited(kit: Kit) -> None:
    with TestClient(create_app(kit.registry, Limits(logins=4)), raise_server_exceptions=False) as c:
        assert _shape(c.post("/api/login", json={"user": "lab-observer", "password": PASSWORD}), 401)
        r = c.post("/api/login", json={"user": "lab-admin", "password": PASSWORD})
        assert r.status_code == 200
        assert c.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"}).json()["user"] == "lab-admin"
        assert _shape(c.post("/api/login", json={"user": "lab-admin", "password": "wrong password!"}), 401)
        assert _shape(c.post("/api/login", json={"user": "nobody", "password": "wrong password!"}),
                      401)["message"] == "wrong user name or password"
        err = _shape(c.post("/api/login", json={"user": "lab-admin", "password": PASSWORD}), 429)
        assert err["code"] == "rate_limited"


@pytest.mark.parametrize("kind", ["bad_tokens", "per_token"])
def test_token_use_is_rate_limited(kit: Kit, kind: str) -> None:
    limits = Limits(bad_tokens=3, per_token=1000) if kind == "bad_tokens" else Limits(per_token=3)
    with TestClient(create_app(kit.registry, limits), raise_server_exceptions=False) as c:
        hdr = {"Authorization": "Bearer wrong"} if kind == "bad_tokens" else kit.auth("lab-admin")
        codes = [c.get("/api/me", headers=hdr).status_code for _ in range(5)]
        assert codes[-1] == 429 and codes[0] in (200, 401)


def test_security_headers_on_every_response(client: TestClient, kit: Kit) -> None:
    for r in (client.get("/api/me", headers=kit.auth("lab-admin")), client.get("/api/me"), client.get("/ui/login")):
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_an_assessment_on_a_private_suite_does_not_name_it(client: TestClient, kit: Kit) -> None:
    from jailscale.suites import practice

    body = practice().model_dump(mode="json")
    body["name"] = "LAB-PRIVATE-SUITE-NAME"
    sid = client.post("/api/suites", json={"suite": body}, headers=kit.auth("lab-assessor")).json()["id"]
    cid = _file(client, kit, "lab-assessor")
    client.post(f"/api/cases/{cid}/participants", json={"org": "Gov"}, headers=kit.auth("lab-admin"))
    client.post(f"/api/cases/{cid}/transition", json={"to": "triaged"}, headers=kit.auth("lab-assessor"))
    r = client.post(f"/api/cases/{cid}/assessments", json={"suite": sid}, headers=kit.auth("lab-assessor"))
    assert r.status_code == 201, r.text
    seen = client.get(f"/api/cases/{cid}/assessments/{r.json()['id']}", headers=kit.auth("gov-observer"))
    assert seen.status_code == 200 and "LAB-PRIVATE-SUITE-NAME" not in seen.text
    assert seen.json()["assessment"]["suite"]["private"] is True
    _shape(client.post(f"/api/cases/{cid}/assessments", json={"suite": sid}, headers=kit.auth("gov-assessor")), 404)
