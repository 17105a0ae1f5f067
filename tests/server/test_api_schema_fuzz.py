"""Property-based API tests from the OpenAPI schema: the schemathesis command line against the
registry served by uvicorn on loopback, on a registry seeded with real objects (a shared case, its
submission, assessments by two organisations, an action, a note, a private suite, spare tokens) and
a token for each kind of caller: an admin (whose rights include the assessor's), a reporter, an
observer of another organisation taking part, an admin of an organisation that does not. A
schemathesis configuration binds every id parameter (path, query and body) to dictionaries of the
seeded ids, so most generated requests reach real objects instead of 404s; its stateful phase
follows the links it infers from the schema. (Not schemathesis's pytest plugin: the command line
needs nothing from our pytest, and its reports are read back here.)

Checks on every response: no 5xx (not_a_server_error, and every recorded interaction is read again
here), the documented status codes, content types and response schemas. Each run's JSON and NDJSON
reports are read back to count operations and calls and to prove real objects were reached. About
830 calls; 150 s on a 2-core machine at load 17-21, where its CPU time is about 30 s."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry_kit import GENEROUS, PASSWORD, Kit, serve

pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")

from jailscale.server.app import create_app
from jailscale.server.seed import example_submission

CLI = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
REVOKE = "DELETE /api/tokens/{token_id}"


@dataclass
class Seeded:
    ids: dict[str, list[str]] = field(default_factory=dict)
    spare_tokens: list[str] = field(default_factory=list)


def _seed(base: str, kit: Kit) -> Seeded:
    """Real objects through the API, as the organisations would make them."""
    out = Seeded()
    with httpx.Client(base_url=base, timeout=120) as c:
        def call(method: str, path: str, user: str, body: object = None) -> Any:
            r = c.request(method, path, json=body, headers=kit.auth(user))
            assert r.status_code in (200, 201), r.text
            return r.json()

        def submission(sid: str, **kw: Any) -> dict[str, Any]:
            return {"submission": example_submission(sid=sid, **kw).model_dump(mode="json")}

        filed = call("POST", "/api/cases", "lab-assessor", submission("seeded"))
        case, sub = filed["case"]["id"], filed["submission"]["id"]
        other = call("POST", "/api/cases", "lab-reporter", submission("reported"))["case"]["id"]
        call("POST", f"/api/cases/{case}/participants", "lab-admin", {"org": "Gov"})
        call("POST", f"/api/cases/{case}/transition", "lab-assessor", {"to": "triaged"})
        a1 = call("POST", f"/api/cases/{case}/assessments", "lab-assessor", {})["id"]
        a2 = call("POST", f"/api/cases/{case}/assessments", "gov-assessor", submission("gov", unlocked=16))["id"]
        action = call("POST", f"/api/cases/{case}/actions", "lab-assessor", {"assessment": a1, "owner": "safety team"})
        call("POST", f"/api/cases/{case}/notes", "lab-assessor", {"text": "PLACEHOLDER NOTE", "private": True})
        suite = {"name": "seeded-private-suite",
                 "behaviours": [{"id": "b1", "request": "PLACEHOLDER", "category": "c", "tier": "L"}]}
        suite_id = call("POST", "/api/suites", "lab-assessor", {"suite": suite})["id"]
        out.spare_tokens = [call("POST", "/api/tokens", "lab-admin", {"user": "lab-observer", "label": f"spare {i}"})
                            ["id"] for i in range(3)]
        # cases that state changes may move (to closed, say) without taking the others out of play
        movable = [call("POST", "/api/cases", "lab-assessor", submission(f"movable-{i}"))["case"]["id"]
                   for i in range(2)]
    out.ids = {"cases": [case, other], "movable": movable, "subs": [sub], "assessments": [a1, a2],
               "actions": [action["id"]], "suites": [suite_id, "practice"],
               "orgs": ["Gov", "Lab"],  # never "Other": the outsider stays out
               "users": ["lab-observer", "lab-reporter", "lab-admin", "gov-assessor"], "passwords": [PASSWORD],
               "states": ["triaged", "assessed", "disputed", "action_decided", "mitigated", "closed"],
               "tokens": out.spare_tokens}
    return out


def _config(path: Path, seeded: Seeded) -> Path:
    """schemathesis.toml: the seeded ids as dictionaries, bound to the parameters that take them (90%
    of generated values come from the dictionary, the rest are generated as usual); the operations
    that compute (an assessment, a dedup signature, a suite) are left out of the coverage phase,
    whose exhaustive boundary values would spend minutes there."""
    lines = []
    for name, values in seeded.ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    bind = {"path.case_id": "cases", "path.sub_id": "subs", "path.assessment_id": "assessments",
            "path.action_id": "actions", "path.suite_id": "suites", "path.token_id": "tokens",
            "query.a": "assessments", "query.b": "assessments", "body.assessment": "assessments",
            "body.retest_of": "assessments", "body.submission_id": "subs", "body.suite": "suites",
            "body.org": "orgs", "body.user": "users", "body.password": "passwords", "body.to": "states"}
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.9 }}' for key, name in bind.items()]
    for op in ("POST /api/cases", "POST /api/cases/{case_id}/assessments", "POST /api/suites"):
        lines += ["", "[[operations]]", f'include-name = "{op}"', "phases.coverage.enabled = false"]
    lines += ["", "[[operations]]", 'include-name = "POST /api/cases/{case_id}/transition"',
              'parameters = { "path.case_id" = { dictionary = "movable", probability = 0.9 } }']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Run:
    report: dict[str, object]
    calls: Counter[tuple[str, int]]  # (operation, status) -> calls
    answered: list[str]  # the URL of every 2xx

    def ops_with(self, lo: int, hi: int) -> set[str]:
        return {op for (op, status) in self.calls if lo <= status < hi}


def _run(base: str, token: str, config: Path, out: Path, *args: str) -> Run:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [str(CLI), "--config-file", str(config), "run", f"{base}/openapi.json",
           "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--seed", "20261130", "--workers", "1",
           "--no-color", "--report", "json,ndjson", "--report-dir", str(out), *args]
    started = time.monotonic()
    # in the run's own folder: schemathesis keeps a cache (.schemathesis/) in its working directory
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=out)
    print(f"schemathesis {' '.join(args)}: {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    report = json.loads(next(out.glob("json-*.json")).read_text(encoding="utf-8"))
    calls: Counter[tuple[str, int]] = Counter()
    answered: list[str] = []
    for line in next(out.glob("ndjson-*.ndjson")).read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        for interaction in scenario["recorder"].get("interactions", {}).values():
            response = interaction.get("response")
            if response is not None:
                calls[(scenario["recorder"]["label"], int(response["status_code"]))] += 1
                if 200 <= int(response["status_code"]) < 300:
                    answered.append(interaction["request"]["uri"])
    return Run(report, calls, answered)


def test_schemathesis_on_real_objects_finds_no_server_error(sqlite_kit: Kit, tmp_path: Path) -> None:
    if not CLI.is_file():
        pytest.skip(f"no schemathesis command beside {sys.executable}")
    with serve(create_app(sqlite_kit.registry, GENEROUS)) as base:
        seeded = _seed(base, sqlite_kit)
        config = _config(tmp_path / "schemathesis.toml", seeded)
        runs = {
            # everything an admin may do: boundary values, random requests, and chains along the links
            "lab-admin": _run(base, sqlite_kit.tokens["lab-admin"], config, tmp_path / "admin",
                              "--phases", "coverage,fuzzing,stateful", "-n", "5", "--exclude-name", REVOKE),
            # the other kinds of caller, on the same objects: what they may not see or do must be a 4xx
            **{user: _run(base, sqlite_kit.tokens[user], config, tmp_path / user,
                          "--phases", "fuzzing", "-n", "2", "--exclude-name", REVOKE)
               for user in ("lab-reporter", "gov-observer", "other-admin")},
            # last, as it revokes tokens: the seeded spare ones
            "revoke": _run(base, sqlite_kit.tokens["lab-admin"], config, tmp_path / "revoke",
                           "--phases", "fuzzing", "-n", "5", "--include-name", REVOKE),
        }
    summary = {who: (r.report["operations"]["tested"], sum(r.calls.values())) for who, r in runs.items()}  # type: ignore[index]
    print(f"schemathesis operations and calls per caller: {summary}")
    for who, r in runs.items():
        assert r.report["failures"] == [] and r.report["errors"] == [], who
        assert not r.ops_with(500, 600), (who, r.ops_with(500, 600))
    admin = runs["lab-admin"]
    # the admin's token works everywhere (the others' 401/403 on what their role may not do are right)
    assert admin.report["warnings"]["missing_auth"] == []  # type: ignore[index]
    assert admin.report["operations"]["tested"] == 27  # every operation but the revocation, run apart
    # real objects reached: every operation with an id, and every write, got a 2xx somewhere
    reached = admin.ops_with(200, 300) | runs["revoke"].ops_with(200, 300)
    every = {label for label, _ in admin.calls} | {REVOKE}
    unreached = sorted(every - reached - {"POST /api/login", "Stateful tests"})
    assert unreached == [], unreached
    assert admin.ops_with(200, 300) >= {"GET /api/cases/{case_id}/submissions/{sub_id}",
                                        "GET /api/cases/{case_id}/compare",
                                        "PATCH /api/cases/{case_id}/actions/{action_id}",
                                        "POST /api/cases/{case_id}/assessments"}
    assert sum(admin.calls.values()) >= 400
    # the outsider (never made a participant: "Other" is not in the organisations' dictionary) got no
    # 2xx on any seeded object, though most of its requests named them (it may reach a case it filed)
    outsider = runs["other-admin"]
    kinds = ("cases", "movable", "subs", "assessments", "actions", "suites")
    seeded_ids = [i for name in kinds for i in seeded.ids[name] if i != "practice"]
    assert not [u for u in outsider.answered if any(i in u for i in seeded_ids)]
    assert sum(n for (op, status), n in outsider.calls.items() if status in (403, 404) and "{" in op) >= 20
