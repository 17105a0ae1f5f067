"""The streamed run's spool (``runner.spool``): rows read back in transcript-hash order across runs,
links in input order, both readable again, a piece of each run held at a time; and the store writes
transcripts in that order."""

from __future__ import annotations

import hashlib
import json
import pickle
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from jailscale.runner import spool as spool_mod
from jailscale.runner.spool import Spool


def _h(i: int) -> str:
    return "sha256:" + hashlib.sha256(str(i).encode()).hexdigest()


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool_mod, "RUN_ROWS", 10)
    monkeypatch.setattr(spool_mod, "PIECE_ROWS", 3)


def test_rows_come_back_in_hash_order_and_links_in_input_order(small: None) -> None:
    rng = random.Random(7)
    ids = [rng.randrange(60) for _ in range(95)]  # repeats: the same transcript more than once
    rows = [(_h(i), n, None if n % 2 else "PLACEHOLDER") for n, i in enumerate(ids)]  # None beside str: never compared
    links = [(_h(i), n) for n, i in enumerate(ids)]
    sp = Spool()
    try:
        for k in range(0, len(rows), 7):  # chunks of 7 against runs of 10: runs span chunks
            sp.add(rows[k:k + 7], links[k:k + 7])
        assert len(sp._runs) >= 6  # runs of 14 rows (two chunks); the rest is flushed when read
        got = list(sp.rows())
        assert got == sorted(rows, key=lambda r: r[0])  # sorted() is stable: equal hashes keep input order
        assert list(sp.rows()) == got  # read again from the start (a retried transaction)
        assert list(sp.links()) == links and list(sp.links()) == links
    finally:
        sp.close()


def test_the_merge_holds_one_piece_of_each_run(small: None, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    real = pickle.load

    def counted(f: Any) -> Any:
        got = real(f)
        loads.append(len(got))
        return got

    monkeypatch.setattr(spool_mod.pickle, "load", counted)
    sp = Spool()
    try:
        sp.add([(_h(i), i) for i in range(50)], [])
        assert sorted(r[1] for r in sp.rows()) == list(range(50))
    finally:
        sp.close()
    assert loads and max(loads) <= 3 and sum(loads) == 50


def test_an_empty_spool_reads_back_nothing() -> None:
    sp = Spool()
    assert list(sp.rows()) == [] and list(sp.links()) == []
    sp.add([], [])
    assert list(sp.rows()) == [] and list(sp.links()) == []
    sp.close()


def test_a_streamed_store_writes_transcripts_and_verdicts_in_hash_order(tmp_path: Path, small: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Across runs and batches, rowids follow the hash: each insert was an append to the key index.
    The links keep the input order, and the submission reads back whole."""
    from jailscale.formats.lines import LINES_FORMAT, LinesFile
    from jailscale.runner import assess as assess_mod
    from jailscale.runner.assess import Evidence, assess
    from jailscale.runner.demo import demo_inputs
    from jailscale.store import Store, _write
    from jailscale.store._write import submission_key

    monkeypatch.setattr(assess_mod, "CHUNK", 13)
    monkeypatch.setattr(_write, "BATCH", 17)
    sub, suite = demo_inputs()
    lines = tmp_path / "s.jsonl"
    head = {**sub.model_dump(mode="json", exclude={"evidence"}), "format": LINES_FORMAT}
    lines.write_text("".join(json.dumps(x) + "\n" for x in [head, *(t.model_dump(mode="json") for t in sub.evidence)]))
    db = tmp_path / "a.sqlite3"
    with Store.open(f"sqlite:///{db}") as store:
        assess(Evidence.lines(LinesFile.open(lines)), suite, store=store)
        assert store.get_submission(submission_key(sub)) == sub
    con = sqlite3.connect(db)
    try:
        hashes = [h for (h,) in con.execute("SELECT hash FROM transcripts ORDER BY rowid")]
        # verdicts are kept in their key's order whatever order they came in (WITHOUT ROWID, 0007): the
        # transcripts' rowids show the write order
        verdicts = [h for (h,) in con.execute("SELECT transcript_hash FROM verdicts")]
        linked = [h for (h,) in con.execute("SELECT transcript_hash FROM submission_evidence ORDER BY position")]
        recorded = [json.loads(r) for (r,) in con.execute("SELECT recorded_verdicts FROM submission_evidence "
                                                         "ORDER BY position")]
    finally:
        con.close()
    assert len(hashes) > 2 * 17 and hashes == sorted(hashes) == sorted({t.content_hash for t in sub.evidence})
    assert sorted(verdicts) == hashes and len(verdicts) == len(sub.evidence)
    assert linked == [t.content_hash for t in sub.evidence]
    assert recorded == [[v.model_dump(mode="json") for v in t.verdicts] for t in sub.evidence]
