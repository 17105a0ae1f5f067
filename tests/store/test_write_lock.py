"""On PostgreSQL, assessment writes are serialised by a transaction-scoped advisory lock: two writers of
shared transcripts (a streamed write sorts its inserts within a batch of 1,000, not across batches)
cannot take row locks in crossing orders. The second writer waits until the first commits."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine

from jailscale.store import Store, _write


@pytest.mark.postgres
def test_a_second_writer_waits_for_the_first_to_commit(pg_url: str) -> None:
    held, released, acquired = threading.Event(), [0.0], [0.0]

    def first() -> None:
        engine = create_engine(pg_url)
        try:
            with engine.begin() as conn:
                _write.serialise_writers(conn)
                held.set()
                time.sleep(1.0)
                released[0] = time.monotonic()
        finally:
            engine.dispose()

    def second() -> None:
        held.wait(10)
        engine = create_engine(pg_url)
        try:
            with engine.begin() as conn:
                _write.serialise_writers(conn)
                acquired[0] = time.monotonic()
        finally:
            engine.dispose()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert held.is_set() and released[0] and acquired[0]
    assert acquired[0] >= released[0], "the second writer did not wait for the first to commit"


def test_both_save_paths_take_the_write_lock(store_url: str, make: SimpleNamespace,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    take = _write.serialise_writers
    monkeypatch.setattr(_write, "serialise_writers", lambda conn: (calls.append(conn.dialect.name), take(conn)))
    suite = make.suite()
    sub = make.submission(suite)
    with Store.open(store_url) as store:
        store.save_assessment(sub, suite, make.verdicts(sub), make.assessment(sub, suite))
        store.save_streamed(sub.model_copy(update={"evidence": []}), suite,
                            make.assessment(sub, suite, aid="sha256:" + "2" * 64), _write.submission_key(sub),
                            len(sub.evidence), lambda: iter(()), lambda: iter(()))
    assert len(calls) == 2
