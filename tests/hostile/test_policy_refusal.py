"""``assess --policy`` refuses a policy that ``policy check`` rejects: one line, exit 2, nothing
written or stored; a policy that passes is applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hostile_cli import one_error_line, run_here

from jailscale.runner.demo import demo_path

NOT_MONOTONE = ("name: bad\ninputs: [rating]\nrules:\n"
                "  - when: {rating: Critical}\n    action: Track\n  - action: Attend\n")


def test_assess_refuses_a_policy_that_fails_policy_check(tmp_path: Path) -> None:
    policy = tmp_path / "bad-policy.yaml"
    policy.write_text(NOT_MONOTONE, encoding="utf-8")
    check = run_here(["policy", "check", str(policy)], tmp_path)
    assert check.code == 1
    r = run_here(["assess", str(demo_path()), "--policy", str(policy), "--out", str(tmp_path / "o")], tmp_path)
    line = one_error_line(r, 2)
    assert "fails policy check" in line and "not monotone" in line
    assert not (tmp_path / "o").exists()
    db = tmp_path / "home" / "jailscale.sqlite3"
    if db.exists():
        con = sqlite3.connect(db)
        try:
            assert con.execute("select count(*) from assessments").fetchone()[0] == 0
        finally:
            con.close()


def test_assess_applies_a_policy_that_passes(tmp_path: Path) -> None:
    shown = run_here(["policy", "show"], tmp_path)
    policy = tmp_path / "good-policy.yaml"
    policy.write_text(shown.stdout, encoding="utf-8")
    r = run_here(["assess", str(demo_path()), "--policy", str(policy), "--no-store", "--out", str(tmp_path / "o")],
                 tmp_path)
    assert r.code == 0, r.stderr
