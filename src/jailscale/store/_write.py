"""Writing one assessment and everything it rests on, as stages inside one transaction.

Each stage inserts with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it), so
writing what is already stored adds nothing, also when two processes write at once. What is already
stored is skipped before its row is built (one query per :data:`CHUNK` keys), and rows are sent in
batches of :data:`BATCH`, so a write costs what is new and its memory does not grow with the evidence.
The caller (``Store.save_assessment``) owns the transaction: if any stage fails, none of them is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Table, select, text, update

from ..formats import Assessment, JudgeRef, Submission, Suite, Verdict, sha256_of
from ..formats.evidence import judge_input_hash
from ._engine import RawJSON
from ._seal import local_secret, verdict_seal
from .models import (
    AssessmentRecord,
    EvidenceLink,
    SubmissionRecord,
    SuiteRecord,
    TranscriptRecord,
    VerdictRecord,
)

_T = TypeVar("_T")

CHUNK = 500
"""Keys per ``IN (...)`` query: under SQLite's default limit of 999 bound parameters."""
BATCH = 1000
"""Rows per INSERT batch: large enough to amortise the round trip, small enough to bound memory."""


def submission_key(submission: Submission) -> str:
    """The submission record's key: its content hash with its ordered evidence hashes."""
    return sha256_of({"submission": submission.content_hash, "evidence": submission.evidence_hashes()})


def _insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping any that conflict with a stored row (same key or unique columns)."""
    if not rows:
        return
    # imported here: a SQLite store never loads PostgreSQL's dialect
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))
    else:
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))


def _mark(conn: Connection) -> str:
    """The driver's own placeholder: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _bulk_sql(conn: Connection, table: Table, columns: Sequence[str]) -> str:
    """``INSERT ... ON CONFLICT DO NOTHING`` for ``columns`` of ``table``, in the driver's own
    placeholders (``?`` for sqlite3, ``%s`` for psycopg), cached per dialect and column list."""
    key = (conn.dialect.name, table.name, tuple(columns))
    sql = _BULK_SQL.get(key)
    if sql is None:
        quote = conn.dialect.identifier_preparer.quote
        mark = _mark(conn)
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
               f"VALUES ({', '.join(mark for _ in columns)}) ON CONFLICT DO NOTHING")
        _BULK_SQL[key] = sql
    return sql


_BULK_SQL: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, every JSON value already JSON text) with
    the driver's ``executemany``, skipping any that conflict with a stored row. The bulk writes of a
    streamed assessment go this way: SQLAlchemy's per-row parameter processing (a dict per row, a bind
    processor per value) cost as much CPU as SQLite's own inserts, for values that are already final."""
    if rows:
        conn.exec_driver_sql(_bulk_sql(conn, table, columns), list(rows))


def _insert_batches(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert ``rows`` (built lazily) in batches of :data:`BATCH`."""
    for batch in _batched(rows, BATCH):
        _insert_new(conn, table, batch)


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(keys), CHUNK):
        yield keys[i:i + CHUNK]


def _select_in(conn: Connection, head: str, column: str, keys: Sequence[str],
               params: Sequence[Any] = ()) -> Iterator[Any]:
    """The rows of ``head`` (``SELECT ... FROM ... WHERE [... AND]``, its own parameters ``params``)
    whose ``column`` is one of ``keys``, :data:`CHUNK` keys a query, as driver SQL in the driver's own
    placeholders. The writes look up many keys this way: SQLAlchemy renders an ``IN`` of expanding
    parameters afresh on every execution, which cost more than the lookup."""
    mark = _mark(conn)
    for part in _chunks(keys):
        yield from conn.exec_driver_sql(f"{head} {column} IN ({', '.join(mark for _ in part)})",
                                        (*params, *part))


def stored_transcripts(conn: Connection, hashes: Iterable[str]) -> set[str]:
    """Those of ``hashes`` whose transcript is stored."""
    return {h for (h,) in _select_in(conn, "SELECT transcripts.hash FROM transcripts WHERE", "transcripts.hash",
                                     sorted(set(hashes)))}


#: The columns :func:`stored_seals` reads: what decides whether a verdict given again is rewritten.
SEAL_COLUMNS = "transcript_hash, input_hash, seal, label, quality"


def stored_verdict_rows(conn: Connection, columns: str, name: str, version: str, config_hash: str,
                        transcript_hashes: Sequence[str]) -> Iterator[Any]:
    """``columns`` (SQL) of the stored verdicts of this judge, version and configuration on
    ``transcript_hashes``."""
    mark = _mark(conn)
    yield from _select_in(
        conn, f"SELECT {columns} FROM verdicts WHERE judge = {mark} AND judge_version = {mark} "
              f"AND config_hash = {mark} AND", "transcript_hash", transcript_hashes, (name, version, config_hash))


def stored_seals(conn: Connection, judge: JudgeRef,
                 transcript_hashes: Sequence[str]) -> dict[tuple[str, str], tuple[str, str, float | None]]:
    """(transcript hash, input hash) -> (seal, label, quality) of ``judge``'s stored verdicts on
    ``transcript_hashes``."""
    return {(h, ih): (sealed, label, quality) for h, ih, sealed, label, quality in stored_verdict_rows(
        conn, SEAL_COLUMNS, judge.name, judge.version, judge.config_hash, transcript_hashes)}


def has_assessment(conn: Connection, id: str) -> bool:
    return conn.execute(select(AssessmentRecord.id).where(AssessmentRecord.id == id)).first() is not None


def has_submission(conn: Connection, key: str) -> bool:
    """A submission record is written with all its transcripts and links in one transaction, so when
    its key is stored, so is its evidence."""
    return conn.execute(select(SubmissionRecord.key).where(SubmissionRecord.key == key)).first() is not None


#: The PostgreSQL advisory lock that serialises assessment writes: the first 8 bytes of
#: sha256("jailscale.store.write") as a signed 64-bit integer (as the migration lock in _migrate).
PG_WRITE_LOCK = int.from_bytes(hashlib.sha256(b"jailscale.store.write").digest()[:8], "big", signed=True)


def serialise_writers(conn: Connection) -> None:
    """On PostgreSQL, wait for any other assessment write to commit before this one writes (a lock held
    to the end of the transaction). Two writers of shared transcripts or verdicts in different orders
    otherwise lock rows in crossing orders: inserts are sorted within a batch, not across a streamed
    write's batches, and a deadlock is only retried a few times. SQLite serialises writers already."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})


#: SQLite's page cache during an assessment write, in KiB: transcripts and verdicts are keyed by
#: hashes, so an insert out of hash order (a whole submission's batches, or a streamed one's into a
#: store that holds other submissions) lands on a random page of its B-trees; with SQLite's default
#: cache (2,000 KiB) a write larger than that reads most of its pages back from the file (a third of
#: a 50,000-transcript write's CPU went to system calls, before streamed writes went in hash order).
#: Set for the write transaction only, then restored, so a long-lived connection (the server's pool)
#: does not keep it.
WRITE_CACHE_KIB = 65_536


@contextmanager
def write_cache(conn: Connection) -> Iterator[None]:
    """On SQLite, :data:`WRITE_CACHE_KIB` of page cache for the statements inside, then the previous size."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def put_suite(conn: Connection, suite: Suite, now: dt.datetime) -> None:
    _insert_new(conn, SuiteRecord.__table__, [{  # type: ignore[arg-type]
        "hash": suite.content_hash, "name": suite.name, "version": suite.version,
        "source": suite.source, "private": suite.private,
        "behaviours": [b.model_dump(mode="json") for b in suite.behaviours], "created_at": now,
    }])


def put_submission(conn: Connection, submission: Submission, key: str, now: dt.datetime,
                   evidence: int | None = None) -> None:
    """``evidence``: how many transcripts it holds (default: ``len(submission.evidence)``; a streamed
    submission is passed without them)."""
    _insert_new(conn, SubmissionRecord.__table__, [{  # type: ignore[arg-type]
        "key": key, "id": submission.id, "content_hash": submission.content_hash,
        "title": submission.title, "technique_kind": submission.technique.kind,
        "technique_name": submission.technique.name, "target_model": submission.target.model,
        "assessed_on": submission.assessed_on,
        "evidence": len(submission.evidence) if evidence is None else evidence,
        "body": submission.model_dump(mode="json", exclude={"evidence"}), "created_at": now,
    }])


def put_transcripts(conn: Connection, submission: Submission, key: str) -> None:
    """The transcripts not yet stored (by content hash), then the submission's links to all of them.
    Call only for a submission key not yet stored (:func:`has_submission`): its links are all new.
    Transcripts go in in hash order (as verdicts do), so two writers of shared transcripts take their
    row locks in one order: on PostgreSQL the second waits for the first instead of deadlocking."""
    seen = stored_transcripts(conn, (t.content_hash for t in submission.evidence))

    def transcripts() -> Iterator[dict[str, Any]]:
        for t in sorted(submission.evidence, key=lambda t: t.content_hash):
            h = t.content_hash
            if h not in seen:
                seen.add(h)
                yield {"hash": h, "submission_key": key, "behaviour": t.behaviour, "condition": t.condition,
                       "reference": t.reference, "sample": t.sample,
                       "body": t.model_dump(mode="json", exclude={"verdicts"})}

    _insert_batches(conn, TranscriptRecord.__table__, transcripts())  # type: ignore[arg-type]
    _insert_batches(conn, EvidenceLink.__table__, (  # type: ignore[arg-type]
        {"submission_key": key, "position": position, "transcript_hash": t.content_hash,
         "recorded_verdicts": [v.model_dump(mode="json") for v in t.verdicts] if t.verdicts else []}
        for position, t in enumerate(submission.evidence)))


def input_hashes(submission: Submission, suite: Suite) -> dict[str, str]:
    """Transcript hash -> hash of everything a judge read for it (the verdict cache key)."""
    by_id = suite.by_id()
    return {t.content_hash: judge_input_hash(by_id[t.behaviour], t)
            for t in submission.evidence if t.behaviour in by_id}


def put_verdicts(conn: Connection, verdicts: Mapping[str, Verdict], inputs: Mapping[str, str],
                 judge: JudgeRef) -> None:
    """Keyed by the judge the assessment names and by what it read (what ``Store.verdicts_for`` is
    asked with); each verdict's own fields stay in its body. Verdicts already stored under the same
    key (reused from the cache, say) are skipped before their rows are built."""
    V = VerdictRecord
    wanted = sorted(verdicts)
    stored = stored_seals(conn, judge, wanted)
    secret = local_secret()

    def row(h: str) -> dict[str, Any]:
        text = verdicts[h].model_dump_json()
        return {"transcript_hash": h, "judge": judge.name, "judge_version": judge.version,
                "config_hash": judge.config_hash, "input_hash": inputs[h], "label": verdicts[h].label,
                "quality": verdicts[h].quality, "body": RawJSON(text),
                "seal": _sealed(secret, h, judge, inputs[h], text)}

    _insert_batches(conn, V.__table__, (row(h) for h in wanted if (h, inputs[h]) not in stored))  # type: ignore[arg-type]
    # a verdict given again (rescore passes the reused ones too) is rewritten only when its stored row
    # is not what this run would store: sealed otherwise, or with another label or quality
    _reseal(conn, judge, [r for r in (row(h) for h in wanted if (h, inputs[h]) in stored)
                          if stored[(r["transcript_hash"], r["input_hash"])] != (r["seal"], r["label"], r["quality"])])


def _reseal(conn: Connection, judge: JudgeRef, rows: Iterable[dict[str, Any]]) -> None:
    """Stored rows of verdicts judged again (their row was not reused: edited, stored by another
    machine or before seals existed) are overwritten with the fresh verdict and its seal, so that the
    next run reuses it. Correctness does not rest on this (``Store.verdicts_for`` verifies every seal);
    without a secret nothing is sealed, so nothing is rewritten."""
    V = VerdictRecord
    for r in sorted(rows, key=lambda r: (r["transcript_hash"], r["input_hash"])):  # one lock order for all
        if r["seal"]:
            conn.execute(update(V).where(
                V.transcript_hash == r["transcript_hash"], V.judge == judge.name, V.judge_version == judge.version,
                V.config_hash == judge.config_hash, V.input_hash == r["input_hash"],
            ).values(label=r["label"], quality=r["quality"], body=r["body"], seal=r["seal"]))


def _sealed(secret: bytes | None, h: str, judge: JudgeRef, input_hash: str, text: str) -> str:
    """The verdict row's seal ('' when there is no secret: such a row is never reused)."""
    if secret is None:
        return ""
    return verdict_seal(secret, h, judge.name, judge.version, judge.config_hash, input_hash, text)


def put_assessment(conn: Connection, assessment: Assessment, key: str) -> None:
    created = assessment.created_at
    created = created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created.astimezone(dt.UTC)
    _insert_new(conn, AssessmentRecord.__table__, [{  # type: ignore[arg-type]
        "id": assessment.id, "created_at": created, "submission_key": key,
        "submission_id": assessment.submission, "title": assessment.title,
        "suite_hash": assessment.suite.hash, "vector": assessment.vector,
        "score": assessment.score.value, "rating": assessment.score.rating,
        "label": assessment.score.label, "body": assessment.model_dump(mode="json"),
    }])


class SpooledRow(NamedTuple):
    """One transcript of a streamed assessment as the store needs it, read back from the run's spool
    in transcript-hash order (``runner.spool``): ``body`` is the transcript without verdicts (as
    ``transcripts.body``), ``verdict`` this assessment's verdict when it was judged afresh (None when it
    was reused from the store, which holds it already), with its ``label`` and ``quality``. ``body`` and
    ``verdict`` are JSON text already, made once when the transcript was read, and go to the driver as
    plain ``str`` (a ``str`` subclass such as :class:`RawJSON` sends the driver to its adapter registry
    for every value). The verdicts recorded with the transcript go with its link (:func:`put_streamed`'s
    ``links``)."""

    hash: str
    input_hash: str
    behaviour: str
    condition: str
    reference: str | None
    sample: int
    body: str
    verdict: str | None
    label: str | None
    quality: float | None


TRANSCRIPT_COLUMNS = ("hash", "submission_key", "behaviour", "condition", "reference", "sample", "body")
LINK_COLUMNS = ("submission_key", "position", "transcript_hash", "recorded_verdicts")
VERDICT_COLUMNS = ("transcript_hash", "judge", "judge_version", "config_hash", "input_hash", "label", "quality",
                   "body", "seal")


def put_streamed(conn: Connection, key: str, rows: Iterable[SpooledRow], links: Iterable[tuple[str, str]],
                 judge: JudgeRef, with_evidence: bool) -> None:
    """A streamed submission's transcripts (``rows``, in transcript-hash order) and the verdicts judged
    afresh, then its links (``links``: each transcript's hash and recorded verdicts, in input order),
    :data:`BATCH` rows at a time. ``with_evidence``: its key is not yet stored, so its transcripts may
    be new and its links all are; otherwise only verdicts are written. What is already stored is
    skipped before its rows are built, and memory does not grow with the evidence.

    The rows' order is the B-trees' order: each transcript and verdict lands at the end of its table's
    key index instead of on a random page (``runner.spool`` gives the figures), and on PostgreSQL every
    writer takes its row locks in that one order. Links go last, as they refer to the transcripts.
    Rows go to the driver as tuples of final values; only a stored verdict to be rewritten (rare) goes
    through SQLAlchemy, in :func:`_reseal`."""
    name, version, config_hash = judge.name, judge.version, judge.config_hash
    secret = local_secret()  # the streamed verdicts are Verdict.model_dump_json() text, as put_verdicts seals
    for batch in _batched(rows, BATCH):
        seen: set[str] = set()  # this batch's transcripts stored before it
        if with_evidence:
            seen = stored_transcripts(conn, (r.hash for r in batch))
            new = {r.hash: (r.hash, key, r.behaviour, r.condition, r.reference, r.sample, r.body)
                   for r in batch if r.hash not in seen}
            _insert_rows(conn, TranscriptRecord.__table__, TRANSCRIPT_COLUMNS, list(new.values()))  # type: ignore[arg-type]
        # the verdicts judged afresh, in VERDICT_COLUMNS' order
        made = [(r.hash, name, version, config_hash, r.input_hash, r.label, r.quality, r.verdict,
                 _sealed(secret, r.hash, judge, r.input_hash, r.verdict)) for r in batch if r.verdict is not None]
        if not made:
            continue
        # a transcript this batch stored anew has no stored verdict (a verdict refers to a stored
        # transcript, and writers are serialised): only the others are looked up
        ask = sorted({v[0] for v in made if not with_evidence or v[0] in seen})
        stored = stored_seals(conn, judge, ask) if ask else {}
        _insert_rows(conn, VerdictRecord.__table__, VERDICT_COLUMNS,  # type: ignore[arg-type]
                     [v for v in made if (v[0], v[4]) not in stored])
        # judged afresh although stored: replaced when the stored row is not what this run stores (a
        # concurrent run storing the same verdict first is left alone: no row is locked twice)
        _reseal(conn, judge, [{**dict(zip(VERDICT_COLUMNS, v, strict=True)), "body": RawJSON(v[7])} for v in made
                              if (v[0], v[4]) in stored and stored[(v[0], v[4])] != (v[8], v[5], v[6])])
    if with_evidence:
        position = 0
        for part in _batched(links, BATCH):
            _insert_rows(conn, EvidenceLink.__table__, LINK_COLUMNS,  # type: ignore[arg-type]
                         [(key, position + i, h, recorded) for i, (h, recorded) in enumerate(part)])
            position += len(part)


def _batched(rows: Iterable[_T], n: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch
