"""A store that scales (issue 8): what is stored is skipped before its rows are built, rows go in
fixed-size batches, ``list`` selects only what it prints, prefix lookups are ranges an index serves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event

from jailscale.formats import Assessment, Submission, Suite, Verdict
from jailscale.store import Store, _write

Bundle = tuple[Submission, Suite, dict[str, Verdict], Assessment]


@contextmanager
def statements(store: Store) -> Iterator[list[tuple[str, int]]]:
    """Each SQL statement the store runs, with the number of parameter sets it carried."""
    seen: list[tuple[str, int]] = []
    engine = store._engine

    def log(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, len(params) if many else 1))

    event.listen(engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", log)


def _inserts(seen: list[tuple[str, int]], table: str) -> int:
    return sum(n for sql, n in seen if re.match(rf"\s*INSERT INTO {table}\b", sql))


def test_rerun_of_a_stored_assessment_inserts_nothing(store: Store, bundle: Bundle) -> None:
    store.save_assessment(*bundle)
    with statements(store) as seen:
        store.save_assessment(*bundle)
    assert not [sql for sql, _ in seen if sql.lstrip().startswith("INSERT")]


def test_stored_evidence_and_verdicts_are_not_rebuilt(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    store.save_assessment(sub, suite, verdicts, assessment)
    other = make.assessment(sub, suite, aid="sha256:" + "ab" * 32)  # a second assessment of the same evidence
    with statements(store) as seen:
        store.save_assessment(sub, suite, verdicts, other)
    assert _inserts(seen, "assessments") == 1
    for table in ("transcripts", "submission_evidence", "verdicts", "submissions"):
        assert _inserts(seen, table) == 0, table
    # a new submission sharing two transcripts: only its links are new, no transcript row is rebuilt
    two = sub.model_copy(update={"id": "sub-2", "evidence": [*sub.evidence[:2]]})
    with statements(store) as seen:
        store.save_assessment(two, suite, make.verdicts(two), make.assessment(two, suite))
    assert (_inserts(seen, "transcripts"), _inserts(seen, "submission_evidence"), _inserts(seen, "verdicts")) == (
        0, 2, 0)
    assert store.get_submission("sub-2") == two


def test_rows_go_in_fixed_size_batches(store: Store, make: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_write, "BATCH", 3)
    monkeypatch.setattr(_write, "CHUNK", 4)
    suite = make.suite(5)  # 10 transcripts
    sub = make.submission(suite)
    with statements(store) as seen:
        store.save_assessment(sub, suite, make.verdicts(sub), make.assessment(sub, suite))
    batches = [n for sql, n in seen if re.match(r"\s*INSERT INTO transcripts\b", sql)]
    assert sum(batches) == 10 and max(batches) <= 3
    lookups = [sql for sql, _ in seen if re.match(r"\s*SELECT transcripts.hash", sql)]
    assert len(lookups) == 3  # 10 keys, 4 per query
    assert store.get_submission(sub.id) == sub


def test_list_selects_only_what_it_prints(store: Store, bundle: Bundle) -> None:
    store.save_assessment(*bundle)
    with statements(store) as seen:
        [row] = store.list_assessments()
    [sql] = [sql for sql, _ in seen if "FROM assessments" in sql]
    assert not re.search(r"(SELECT|,)\s*assessments\.body\s*(,|FROM)", sql)  # the body only through JSON paths
    assert "assessments.body" in sql
    a = bundle[3]
    assert (row.id, row.technique, row.target, row.judge, row.withheld, row.low, row.high, row.rating_high) == (
        a.id, a.technique, a.target, f"{a.provenance.judge.name} {a.provenance.judge.version}", False, 2.0, 3.0,
        "Low")


def test_prefix_lookup_is_a_range(store: Store, bundle: Bundle) -> None:
    store.save_assessment(*bundle)
    a = bundle[3]
    with statements(store) as seen:
        assert store.get_assessment(a.id[7:15].upper()).id == a.id
    [sql] = [sql for sql, _ in seen if "FROM assessments" in sql]
    assert " LIKE " not in sql.upper() and ">=" in sql
    assert store.get_assessment(a.id[:15]).id == a.id
