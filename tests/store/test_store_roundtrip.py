"""Writing and reading back: round trip, idempotence, atomicity, the verdict cache."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from jailscale.errors import UserError
from jailscale.formats import Assessment, Submission, Suite, Verdict
from jailscale.store import Store, _write
from jailscale.store._write import input_hashes
from jailscale.store.models import TranscriptRecord

Bundle = tuple[Submission, Suite, dict[str, Verdict], Assessment]


def test_round_trip(store: Store, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    assert store.save_assessment(sub, suite, verdicts, assessment) == assessment.id
    assert store.get_assessment(assessment.id) == assessment
    back = store.get_submission(sub.id)
    assert back == sub
    assert back.evidence_hashes() == sub.evidence_hashes()
    assert back.evidence[0].verdicts == sub.evidence[0].verdicts  # verdicts recorded with evidence
    assert store.get_suite(suite.content_hash) == suite
    assert store.get_submission(sub.content_hash) == sub
    [row] = store.list_assessments()
    assert (row.id, row.submission, row.title, row.vector, row.score, row.rating) == (
        assessment.id, sub.id, sub.title, "JSS:1.0/HD:L", 2.5, "Low")
    assert row.created_at == assessment.created_at
    assert store.counts() == {"assessment_reruns": 0, "assessments": 1, "submission_evidence": 4, "submissions": 1,
                              "suites": 1, "transcripts": 4, "verdicts": 4}


def test_saving_twice_adds_nothing(store: Store, bundle: Bundle) -> None:
    store.save_assessment(*bundle)
    before = store.counts()
    store.save_assessment(*bundle)
    assert store.counts() == before


def test_shared_evidence_is_stored_once(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    store.save_assessment(sub, suite, verdicts, assessment)
    other = sub.model_copy(update={"id": "sub-2", "evidence": [*sub.evidence[:2]]})
    store.save_assessment(other, suite, make.verdicts(other), make.assessment(other, suite))
    counts = store.counts()
    assert (counts["submissions"], counts["transcripts"], counts["submission_evidence"]) == (2, 4, 6)
    assert counts["verdicts"] == 4 and counts["assessments"] == 2
    assert store.get_submission("sub-2") == other
    assert store.get_submission("sub-1") == sub


def test_more_evidence_makes_a_new_version(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    store.save_assessment(sub, suite, verdicts, assessment)
    fewer = sub.model_copy(update={"evidence": sub.evidence[:3]})
    assert fewer.content_hash == sub.content_hash  # evidence is not in the submission's hash
    store.save_assessment(fewer, suite, make.verdicts(fewer), make.assessment(fewer, suite))
    assert store.counts()["submissions"] == 2
    assert len(store.get_submission("sub-1").evidence) == 3  # the newest version by id
    assert len(store.get_submission(sub.content_hash).evidence) == 3


def test_a_failure_midway_writes_nothing(store: Store, make: SimpleNamespace, bundle: Bundle,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store.save_assessment(*bundle)
    before = store.counts()
    suite = make.suite(3)
    sub = make.submission(suite, sid="sub-new", tag=" (new)")
    seen: dict[str, int] = {}
    original = _write.put_verdicts

    def failing(conn: Connection, *args: Any) -> None:
        original(conn, *args)
        seen["transcripts"] = conn.execute(select(func.count()).select_from(TranscriptRecord)).scalar_one()
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(_write, "put_verdicts", failing)
    with pytest.raises(RuntimeError, match="simulated"):
        store.save_assessment(sub, suite, make.verdicts(sub), make.assessment(sub, suite))
    assert seen["transcripts"] == before["transcripts"] + 6  # rows were written, then rolled back
    assert store.counts() == before
    with pytest.raises(UserError):
        store.get_submission("sub-new")


def test_inconsistent_input_is_refused_and_writes_nothing(store: Store, make: SimpleNamespace,
                                                          bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    with pytest.raises(UserError, match="not in submission"):
        store.save_assessment(sub, suite, {**verdicts, "sha256:" + "0" * 64: verdicts[
            sub.evidence_hashes()[0]]}, assessment)
    with pytest.raises(UserError, match="names suite"):
        store.save_assessment(sub, make.suite(3), verdicts, assessment)
    assert sum(store.counts().values()) == 0


def test_verdict_cache(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    store.save_assessment(sub, suite, verdicts, assessment)
    hashes = input_hashes(sub, suite)
    first = sub.evidence_hashes()[0]
    assert store.verdicts_for(hashes, make.judge, "1", make.config) == verdicts
    assert store.verdicts_for({first: hashes[first]}, make.judge, "1", make.config) == {first: verdicts[first]}
    assert store.verdicts_for({first: "sha256:other-input"}, make.judge, "1", make.config) == {}
    assert store.verdicts_for(hashes, make.judge, "2", make.config) == {}
    assert store.verdicts_for(hashes, make.judge, "1", "sha256:other") == {}
    assert store.verdicts_for(hashes, "other/judge", "1", make.config) == {}
    assert store.verdicts_for({}, make.judge, "1", make.config) == {}
    changed = {h: v.model_copy(update={"rationale": "second run"}) for h, v in verdicts.items()}
    store.save_assessment(sub, suite, changed, assessment)  # the stored verdict stands
    assert store.verdicts_for(hashes, make.judge, "1", make.config) == verdicts
    newer = make.verdicts(sub, version="2")
    store.save_assessment(sub, suite, newer, make.assessment(sub, suite, judge_version="2"))
    assert store.verdicts_for(hashes, make.judge, "2", make.config) == newer
    assert store.counts()["verdicts"] == 8


def test_list_is_newest_first_and_limited(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, _ = bundle
    t0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for i in range(3):
        a = make.assessment(sub, suite, aid=f"sha256:{i:064x}", created_at=t0 + dt.timedelta(hours=i))
        store.save_assessment(sub, suite, verdicts, a)
    rows = store.list_assessments(limit=2)
    assert [r.id for r in rows] == [f"sha256:{2:064x}", f"sha256:{1:064x}"]
    assert rows[0].created_at == t0 + dt.timedelta(hours=2)
