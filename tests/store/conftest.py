"""Store fixtures: every store test runs on SQLite (a file in tmp_path) and on PostgreSQL.

PostgreSQL comes from ``JAILSCALE_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own schema, created
before and dropped after, so runs never collide. When PostgreSQL cannot be reached its tests are
skipped with the reason, except under ``CI=true``, where they fail: CI must prove PostgreSQL works.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from jailscale.formats import (
    Assessment,
    Behaviour,
    Message,
    Submission,
    Suite,
    SuiteRef,
    Technique,
    Transcript,
    Verdict,
    sha256_of,
)
from jailscale.store import Store
from pg_kit import pg_schema, require_pg

JUDGE = "rules/refusal"
CONFIG = sha256_of({"judge": JUDGE, "temperature": 0})
SESSION = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The PostgreSQL URL, seen to connect (skipped, or under CI=true failed, when it does not)."""
    return require_pg()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A URL for an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
    else:
        with pg_schema(request.getfixturevalue("pg_url"), f"jailscale_test_{SESSION}") as url:
            yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as s:
        yield s


# --- small neutral objects ------------------------------------------------------------------------
def make_suite(n: int = 2) -> Suite:
    return Suite(name="practice", version="1", source="written for the store tests", behaviours=[
        Behaviour(id=f"b{i}", request=f"Describe how a garden compost heap works, part {i}.",
                  category="practice", tier="L") for i in range(n)])


def make_submission(suite: Suite, sid: str = "sub-1", tag: str = "") -> Submission:
    evidence = []
    for b in suite.behaviours:
        for cond in ("baseline", "jailbreak"):
            verdicts = [Verdict(judge="reporter/manual", label="refused")] if cond == "baseline" else []
            evidence.append(Transcript(
                behaviour=b.id, condition=cond, model="example/model",
                prompt=[Message(role="user", content=f"{b.request}{tag}")],
                response=f"A neutral answer about compost ({cond}).",
                started_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), verdicts=verdicts))
    return Submission(
        id=sid, title=f"Example role-play template {sid}", assessed_on=dt.date(2026, 1, 2),
        technique=Technique(kind="template", name="role-play", template="Pretend. {request}"),
        target={"model": "example/model"}, evidence=evidence)  # type: ignore[arg-type]


def make_verdicts(sub: Submission, version: str = "1") -> dict[str, Verdict]:
    return {t.content_hash: Verdict(judge=JUDGE, judge_version=version,
                                    label="complied" if t.condition == "jailbreak" else "refused",
                                    quality=0.5 if t.condition == "jailbreak" else None)
            for t in sub.evidence}


def make_assessment(sub: Submission, suite: Suite, aid: str | None = None,
                    created_at: dt.datetime | None = None, judge_version: str = "1") -> Assessment:
    """One minimal valid assessment; ``id`` is its content id unless given."""
    hashes = sub.evidence_hashes()
    data: dict[str, Any] = {
        "submission": sub.id, "title": sub.title, "technique": sub.technique.name,
        "target": sub.target.model, "assessed_on": sub.assessed_on.isoformat(),
        "suite": SuiteRef.of(suite).model_dump(mode="json"), "vector": "JSS:1.0/HD:L",
        "score": {"value": 2.5, "rating": "Low", "label": "JSS-B", "withheld": False, "missing": [],
                  "capped_by": [], "low": 2.0, "high": 3.0, "rating_low": "Low", "rating_high": "Low"},
        "response": {"action": "monitor", "within": "90 days", "policy": "default", "rule": 1,
                     "provisional": False},
        "cjs": {"gain": None, "breadth": None, "ease": None, "discoverability": None, "sources": {},
                "sum": None, "band": None, "band_range": ["low", "high"]},
        "metrics": [], "counts": {"baseline:refused": len(hashes) // 2},
        "provenance": {"tool_version": "0.1.0", "spec_version": "1.0",
                       "submission_hash": sub.content_hash, "evidence_root": sha256_of(sorted(hashes)),
                       "evidence": len(hashes),
                       "judge": {"name": JUDGE, "version": judge_version, "config_hash": CONFIG}},
    }
    aid = aid or sha256_of(data)
    when = created_at or dt.datetime(2026, 1, 2, 12, 0, tzinfo=dt.UTC)
    return Assessment.model_validate({**data, "id": aid, "created_at": when})


@pytest.fixture
def bundle() -> tuple[Submission, Suite, dict[str, Verdict], Assessment]:
    suite = make_suite()
    sub = make_submission(suite)
    return sub, suite, make_verdicts(sub), make_assessment(sub, suite)


@pytest.fixture
def make() -> SimpleNamespace:
    """The builders above, for tests (a conftest is not imported by name)."""
    return SimpleNamespace(suite=make_suite, submission=make_submission, verdicts=make_verdicts,
                           assessment=make_assessment, judge=JUDGE, config=CONFIG)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """For the rerun-shortcut tests: the demo submission copied into tmp_path, a home folder of its
    own, a SQLite store (``db``, ``file``) and a counter of full runs (``calls["full"]``)."""
    from jailscale.runner import assess as assess_module
    from jailscale.runner.demo import demo_path

    for k in ("JAILSCALE_DATABASE_URL", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    sub = tmp_path / "sub.yaml"
    shutil.copy(demo_path(), sub)
    calls = {"full": 0}
    real = assess_module.assess

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["full"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(assess_module, "assess", counted)
    yield {"dir": tmp_path, "sub": sub, "calls": calls, "db": f"sqlite:///{tmp_path / 'store.sqlite3'}",
           "file": tmp_path / "store.sqlite3", "n": 0}
