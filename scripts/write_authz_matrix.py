"""Write docs/registry/authz-matrix.md: every registry API endpoint tried by every kind of caller on
every kind of object, each request on a fresh copy of the same registry, with what came back.

    .venv/bin/python scripts/write_authz_matrix.py          # rewrite the table
    .venv/bin/python scripts/write_authz_matrix.py --check  # exit 1 if it is out of date or shows a leak

The registry holds one case of the organisation "Lab", filed by its assessor and taken to "action
decided": a submission whose responses carry a marker, an assessment, an action, a private and a
shared note, and a private suite. Callers: no token; the admin of another organisation ("Other", not
taking part in the case, filing the same technique so a near-duplicate search would find the case);
a reporter of Lab who did not file it; an observer of Lab; and Lab's assessor (the control: the
requests are valid, so every refusal is a decision about access).

A cell is a **leak** when a caller not expected to be allowed gets a 2xx, or when any response carries
a marker the caller may not see (the case's title, the response text, the notes, the suite's name,
the case's id). The test tests/server/test_authz_matrix.py fails on any leak or unexpected answer,
and when this file is out of date.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "docs" / "registry" / "authz-matrix.md"
PASSWORD = "matrix password 0123"
TITLE = "MARKER-CASE-TITLE"
RESPONSE = "MARKER-RESPONSE-TEXT"
PRIVATE_NOTE = "MARKER-PRIVATE-NOTE"
SHARED_NOTE = "MARKER-SHARED-NOTE"
SUITE = "MARKER-PRIVATE-SUITE"
CALLERS = ("no token", "other org admin", "reporter", "observer", "owner assessor")
#: What each caller may see (``case id`` stands for the case's id).
MAY_SEE: dict[str, frozenset[str]] = {
    "no token": frozenset(),
    "other org admin": frozenset(),
    "reporter": frozenset({SUITE}),
    "observer": frozenset({TITLE, PRIVATE_NOTE, SHARED_NOTE, SUITE, "case id"}),
    "owner assessor": frozenset({TITLE, RESPONSE, PRIVATE_NOTE, SHARED_NOTE, SUITE, "case id"}),
}
OWN = frozenset({"owner assessor"})
ANY = frozenset(CALLERS) - {"no token"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str]
    body: Any = None
    kind: str = ""


def endpoints(ids: dict[str, str], sub: dict[str, Any], suite: dict[str, Any]) -> list[Endpoint]:
    c, a, x, s, p, t = ids["case"], ids["assessment"], ids["action"], ids["submission"], ids["suite"], ids["token"]
    return [
        Endpoint("POST", "/api/login", frozenset(), {"user": "lab-assessor", "password": "wrong password 1"},
                 "session"),
        Endpoint("POST", "/api/logout", ANY, None, "session"),
        Endpoint("GET", "/api/me", ANY, None, "user"),
        Endpoint("GET", "/api/users", frozenset({"other org admin"}), None, "user"),
        Endpoint("POST", "/api/users", frozenset({"other org admin"}), {"name": "added-user", "role": "observer"},
                 "user"),
        Endpoint("GET", "/api/tokens", ANY, None, "token"),
        Endpoint("POST", "/api/tokens", frozenset(), {"user": "lab-observer"}, "token"),
        Endpoint("DELETE", "/api/tokens/{token}", frozenset({"observer"}), None, "token (the observer's own)"),
        Endpoint("GET", "/api/suites", ANY, None, "suite"),
        Endpoint("POST", "/api/suites", frozenset({"other org admin", "owner assessor"}), {"suite": suite}, "suite"),
        Endpoint("GET", "/api/suites/{suite}", frozenset({"reporter", "observer", "owner assessor"}), None, "suite"),
        Endpoint("GET", "/api/cases", ANY, None, "case"),
        Endpoint("POST", "/api/cases", frozenset({"other org admin", "reporter", "owner assessor"}),
                 {"submission": sub}, "case"),
        Endpoint("GET", "/api/cases/{case}", frozenset({"observer", "owner assessor"}), None, "case"),
        Endpoint("POST", "/api/cases/{case}/transition", OWN, {"to": "disputed"}, "case"),
        Endpoint("POST", "/api/cases/{case}/participants", OWN, {"org": "Other"}, "case"),
        Endpoint("GET", "/api/cases/{case}/history", frozenset({"observer", "owner assessor"}), None, "case"),
        Endpoint("GET", "/api/cases/{case}/matches", OWN, None, "case"),
        Endpoint("GET", "/api/cases/{case}/submissions/{submission}", frozenset({"observer", "owner assessor"}),
                 None, "submission"),
        Endpoint("GET", "/api/cases/{case}/assessments", frozenset({"observer", "owner assessor"}), None, "assessment"),
        Endpoint("POST", "/api/cases/{case}/assessments", OWN, {}, "assessment"),
        Endpoint("GET", "/api/cases/{case}/assessments/{assessment}", frozenset({"observer", "owner assessor"}), None,
                 "assessment"),
        Endpoint("GET", "/api/cases/{case}/compare?a={assessment}&b={assessment}",
                 frozenset({"observer", "owner assessor"}), None, "assessment"),
        Endpoint("POST", "/api/cases/{case}/actions", OWN, {"assessment": a, "owner": "team"}, "action"),
        Endpoint("PATCH", "/api/cases/{case}/actions/{action}", OWN, {"status": "done"}, "action"),
        Endpoint("POST", "/api/cases/{case}/notes", OWN, {"text": "another note"}, "note"),
        Endpoint("GET", "/api/audit/verify", frozenset({"other org admin"}), None, "audit log"),
    ] if all((c, a, x, s, p, t)) else []


def _fill(path: str, ids: dict[str, str]) -> str:
    for k, v in ids.items():
        path = path.replace("{" + k + "}", v)
    return path


def build(folder: Path) -> tuple[Path, dict[str, str], dict[str, str], dict[str, Any], dict[str, Any]]:
    """The registry file, the callers' tokens, the object ids, an Other-org submission and a suite."""
    from fastapi.testclient import TestClient

    from jailscale.server.app import create_app
    from jailscale.server.auth import Limits
    from jailscale.server.db import Registry
    from jailscale.server.seed import add_member, example_submission

    path = folder / "template.sqlite3"
    reg = Registry.open(f"sqlite:///{path}")
    tokens: dict[str, str] = {}
    with reg.session(write=True) as s:
        tokens["owner assessor"] = add_member(s, "Lab", "lab-assessor", "assessor")
        tokens["reporter"] = add_member(s, "Lab", "lab-reporter", "reporter")
        tokens["observer"] = add_member(s, "Lab", "lab-observer", "observer")
        tokens["other org admin"] = add_member(s, "Other", "other-admin", "admin")
    own = {"Authorization": f"Bearer {tokens['owner assessor']}"}
    ids: dict[str, str] = {}
    with TestClient(create_app(reg, Limits(per_token=100000, bad_tokens=100000))) as c:
        lab_sub = example_submission(sid="lab", title=TITLE, response=RESPONSE).model_dump(mode="json")
        created = c.post("/api/cases", json={"submission": lab_sub}, headers=own).json()
        ids["case"], ids["submission"] = created["case"]["id"], created["submission"]["id"]
        c.post(f"/api/cases/{ids['case']}/transition", json={"to": "triaged"}, headers=own)
        ids["assessment"] = c.post(f"/api/cases/{ids['case']}/assessments", json={}, headers=own).json()["id"]
        ids["action"] = c.post(f"/api/cases/{ids['case']}/actions", json={"assessment": ids["assessment"],
                                                                          "owner": "team"}, headers=own).json()["id"]
        c.post(f"/api/cases/{ids['case']}/notes", json={"text": PRIVATE_NOTE, "private": True}, headers=own)
        c.post(f"/api/cases/{ids['case']}/notes", json={"text": SHARED_NOTE, "private": False}, headers=own)
        suite = {"name": SUITE, "behaviours": [{"id": "b1", "request": "PLACEHOLDER", "category": "c", "tier": "L"}]}
        ids["suite"] = c.post("/api/suites", json={"suite": suite, "private": True}, headers=own).json()["id"]
        obs = {"Authorization": f"Bearer {tokens['observer']}"}
        ids["token"] = c.get("/api/tokens", headers=obs).json()[0]["id"]
    reg.close()
    other_sub = example_submission(sid="other", title="Other org's report").model_dump(mode="json")
    other_suite = {"name": "other-suite", "behaviours": [{"id": "b1", "request": "P", "category": "c", "tier": "L"}]}
    return path, tokens, ids, other_sub, other_suite


def run() -> tuple[list[tuple[Endpoint, dict[str, tuple[int, str]]]], list[str]]:
    """Every endpoint by every caller: (status, verdict) per cell, and the list of problems."""
    from fastapi.testclient import TestClient

    from jailscale.server.app import create_app
    from jailscale.server.auth import Limits
    from jailscale.server.db import Registry

    problems: list[str] = []
    rows: list[tuple[Endpoint, dict[str, tuple[int, str]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template, tokens, ids, other_sub, other_suite = build(folder)
        markers = {TITLE: TITLE, RESPONSE: RESPONSE, PRIVATE_NOTE: PRIVATE_NOTE, SHARED_NOTE: SHARED_NOTE,
                   SUITE: SUITE, "case id": ids["case"]}
        shared = Registry.open(f"sqlite:///{template}")  # reads change nothing: they share one copy
        for ep in endpoints(ids, other_sub, other_suite):
            cells: dict[str, tuple[int, str]] = {}
            for caller in CALLERS:
                if ep.method == "GET":
                    reg = shared
                else:
                    db = folder / "cell.sqlite3"
                    shutil.copyfile(template, db)
                    reg = Registry.open(f"sqlite:///{db}")
                headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller in tokens else {}
                with TestClient(create_app(reg, Limits(per_token=100000, bad_tokens=100000)),
                                raise_server_exceptions=False) as c:
                    r = c.request(ep.method, _fill(ep.path, ids), json=ep.body, headers=headers)
                if reg is not shared:
                    reg.close()
                allowed = caller in ep.allowed
                seen = sorted(k for k, v in markers.items() if v in r.text and k not in MAY_SEE[caller])
                ok = (200 <= r.status_code < 300) if allowed else r.status_code in (401, 403, 404)
                verdict = "ok" if ok and not seen else "LEAK" if (not allowed and r.status_code < 300) or seen \
                    else "unexpected"
                if verdict != "ok":
                    problems.append(f"{ep.method} {ep.path} as {caller}: {r.status_code} ({verdict}"
                                    f"{'; shows ' + ', '.join(seen) if seen else ''})")
                cells[caller] = (r.status_code, verdict)
            rows.append((ep, cells))
        shared.close()
    return rows, problems


def render(rows: list[tuple[Endpoint, dict[str, tuple[int, str]]]], problems: list[str]) -> str:
    out = ["# Registry authorisation matrix", "",
           "Generated by `scripts/write_authz_matrix.py` (its docstring says how); `tests/server/test_authz_matrix.py`",
           "fails on any leak and when this file is out of date. Each cell is the HTTP status one caller got from one",
           "endpoint on a fresh copy of the same registry, then **ok** (allowed and 2xx, or refused with 401, 403 or",
           "404 and no marker shown) or **LEAK**. Objects belong to organisation Lab; *other org admin* is the",
           "admin of an organisation not taking part in the case; *reporter* is a Lab reporter who did not file it;",
           "*owner assessor* is the control that shows each request is valid.", "",
           f"Leaks: **{sum('LEAK' in p for p in problems)}**; unexpected answers: "
           f"**{sum('unexpected' in p for p in problems)}**.", "",
           "| object | endpoint | allowed | " + " | ".join(CALLERS) + " |",
           "|---|---|---|" + "---|" * len(CALLERS)]
    for ep, cells in rows:
        allowed = ", ".join(c for c in CALLERS if c in ep.allowed) or "nobody here"
        out.append(f"| {ep.kind} | `{ep.method} {ep.path}` | {allowed} | "
                   + " | ".join(f"{cells[c][0]} {cells[c][1]}" for c in CALLERS) + " |")
    if problems:
        out += ["", "## Problems", "", *(f"- {p}" for p in problems)]
    return "\n".join([*out, ""])


def main(argv: list[str]) -> int:
    rows, problems = run()
    text = render(rows, problems)
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text or problems:
            print("docs/registry/authz-matrix.md is out of date or shows problems: run "
                  "scripts/write_authz_matrix.py", *problems, sep="\n")
            return 1
        print(f"{OUT.name} is current; no leaks")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} endpoints x {len(CALLERS)} callers; {len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
