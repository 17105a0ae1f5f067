"""The Fable 5 demo case with both readings, and the audit log's verifier catching edits and removals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from jailscale.server import audit
from jailscale.server.seed import fable5_demo
from registry_kit import Kit


def test_fable5_demo_case_has_both_readings(sqlite_kit: Kit, repo_root: Path) -> None:
    folder = repo_root / "docs" / "case-studies" / "fable-5"
    if not (folder / "lab.yaml").exists():
        pytest.skip("docs/case-studies/fable-5 is missing")
    out = fable5_demo(sqlite_kit.registry, folder)
    assert set(out["assessments"]) == {"government", "lab"}
    assert set(out["deciding"]) <= set(out["differs"])
    from fastapi.testclient import TestClient

    from jailscale.server.app import create_app

    with TestClient(create_app(sqlite_kit.registry)) as c:
        hdr = {"Authorization": f"Bearer {out['tokens']['lab']}"}
        detail = c.get(f"/api/cases/{out['case']}", headers=hdr).json()
        assert sorted(a["org"] for a in detail["assessment_list"]) == ["Fable 5's developer", "US government"]
        assert detail["participants"] == ["Fable 5's developer", "US government"]
        assert len(detail["submissions"]) == 2


def _entries(kit: Kit, n: int) -> None:
    from jailscale.server.seed import add_member

    with kit.registry.session(write=True) as s:
        for i in range(n):
            add_member(s, "Lab", f"extra-{i}", "observer")


def test_audit_chain_detects_edits_and_removals(sqlite_kit: Kit) -> None:
    _entries(sqlite_kit, 5)
    with sqlite_kit.registry.session() as s:
        ok = audit.verify(s)
    assert ok.ok and ok.entries == ok.head_seq and ok.entries >= 10
    engine = sqlite_kit.registry.engine
    with engine.begin() as conn:
        conn.execute(text("UPDATE registry_audit SET actor = 'someone else' WHERE seq = 3"))
    with sqlite_kit.registry.session() as s:
        bad = audit.verify(s)
    assert not bad.ok and any("entry 3 was changed" in p for p in bad.problems)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM registry_audit WHERE seq = 3"))
    with sqlite_kit.registry.session() as s:
        gone = audit.verify(s)
    assert any("entries 3..3 are missing" in p for p in gone.problems)
    last = ok.head_seq
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM registry_audit WHERE seq = :n"), {"n": last})
    with sqlite_kit.registry.session() as s:
        cut = audit.verify(s)
    assert any("removed from the end" in p for p in cut.problems)


def test_audit_verify_cli(sqlite_kit: Kit) -> None:
    from typer.testing import CliRunner

    from jailscale.cli.main import app

    url = str(sqlite_kit.registry.engine.url)
    r = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert r.exit_code == 0 and r.output.startswith("ok: ")
    head = r.output.split("head ")[1].strip()
    assert CliRunner().invoke(app, ["audit", "verify", "--db", url, "--expect-head", head]).exit_code == 0
    assert CliRunner().invoke(app, ["audit", "verify", "--db", url, "--expect-head", "0" * 64]).exit_code == 1
    with sqlite_kit.registry.engine.begin() as conn:
        conn.execute(text("UPDATE registry_audit SET kind = 'edited' WHERE seq = 1"))
    r = CliRunner().invoke(app, ["audit", "verify", "--db", url])
    assert r.exit_code == 1 and "entry 1 was changed" in r.output
