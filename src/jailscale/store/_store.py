"""The Store: where submissions, suites, evidence, verdicts and assessments are kept."""

from __future__ import annotations

import datetime as dt
import hmac
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import EnvironmentFault, UserError
from ..formats import Assessment, Submission, Suite, Transcript, Verdict
from ..textsafe import terminal
from . import _write
from ._engine import WRITE, connect, mask, reason_of
from ._fastread import checked_assessment
from ._migrate import upgrade
from ._paths import default_url, url_from_env
from ._seal import local_secret, verdict_seal
from .models import (
    TABLES,
    AssessmentRecord,
    Base,
    EvidenceLink,
    RerunRecord,
    SubmissionRecord,
    SuiteRecord,
    TranscriptRecord,
)

MIN_PREFIX = 6
#: A write that meets a lock held past the busy timeout, a PostgreSQL deadlock or a serialisation
#: failure is tried again, this many times in all, after a randomised, doubling pause (from
#: RETRY_PAUSE_S): the whole transaction is repeated, and its inserts skip what is already there.
WRITE_ATTEMPTS = 4
RETRY_PAUSE_S = 0.5
_TRANSIENT = ("database is locked", "database table is locked", "deadlock detected",
              "could not serialize access", "busy")


def _transient(message: str) -> bool:
    return any(t in message.lower() for t in _TRANSIENT)


@dataclass(frozen=True)
class AssessmentRow:
    """One line of ``jailscale list``."""

    id: str
    created_at: dt.datetime
    submission: str
    title: str
    vector: str
    score: float | None
    rating: str | None
    label: str
    technique: str = ""
    target: str = ""
    judge: str = ""
    calibration: str | None = None
    withheld: bool = False
    low: float | None = None
    high: float | None = None
    rating_low: str | None = None
    rating_high: str | None = None

    @classmethod
    def columns(cls) -> tuple[Any, ...]:
        """What ``list`` selects: the row's own columns and the few body fields it prints (JSON paths,
        ``json_extract`` on SQLite and ``#>>`` on PostgreSQL), never the whole body."""
        A, b = AssessmentRecord, AssessmentRecord.body
        return (A.id, A.created_at, A.submission_id, A.title, A.vector, A.score, A.rating, A.label,
                b["technique"].as_string(), b["target"].as_string(),
                b[("provenance", "judge", "name")].as_string(), b[("provenance", "judge", "version")].as_string(),
                b[("provenance", "judge", "calibration")].as_string(), b[("score", "withheld")].as_boolean(),
                b[("score", "low")].as_float(), b[("score", "high")].as_float(),
                b[("score", "rating_low")].as_string(), b[("score", "rating_high")].as_string())

    @classmethod
    def of(cls, r: Any) -> AssessmentRow:
        """From a row of :meth:`columns`."""
        (id, created, sub, title, vector, score, rating, label, technique, target, judge, version, calibration,
         withheld, low, high, rating_low, rating_high) = r
        return cls(id, _utc(created), sub, title, vector, score, rating, label, technique=technique or "",
                   target=target or "", judge=f"{judge or '?'} {version or ''}".strip(), calibration=calibration,
                   withheld=bool(withheld), low=low, high=high, rating_low=rating_low, rating_high=rating_high)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the timestamp as ISO 8601."""
        return {**asdict(self), "created_at": self.created_at.isoformat()}


def _utc(t: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def _prefix(col: Any, prefix: str) -> Any:
    """``col`` starts with ``prefix``, as a range (``prefix <= col < prefix with its last character
    raised``) that the column's B-tree index serves on SQLite and PostgreSQL alike (``LIKE 'p%'`` is
    served by neither: SQLite's LIKE ignores case, PostgreSQL's needs a pattern-ops index)."""
    if ord(prefix[-1]) >= 0x10FFFF:
        return col.startswith(prefix, autoescape=True)
    return and_(col >= prefix, col < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _checked(rec: AssessmentRecord) -> Assessment:
    """The stored body as an Assessment, refused when it does not parse or when the columns kept
    beside it (id, title, vector, score, rating, label) disagree with it: a row edited by hand
    (:func:`~jailscale.store._fastread.checked_assessment`, the rerun fast path's check too)."""
    return checked_assessment(rec.body, {"id": rec.id, "title": rec.title, "vector": rec.vector, "score": rec.score,
                                         "rating": rec.rating, "label": rec.label,
                                         "submission_id": rec.submission_id})


class Store:
    """Open with ``Store.open(url)`` (None: the embedded SQLite default); use as a context manager
    or call ``close()``."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self.url = mask(url)

    # --- opening and closing ---------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Connect to ``url`` (None: SQLite at ``$JAILSCALE_HOME/jailscale.sqlite3``) and migrate
        its schema to the newest revision. Raises UserError (password masked) when the URL is
        malformed or names a SQLite file that cannot be opened, EnvironmentFault when a database
        server cannot be reached (refused, no such host, authentication failed)."""
        url = url if url is not None else default_url()
        engine = connect(url)
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, url)

    @staticmethod
    def url_from_env() -> str | None:
        """``$JAILSCALE_DATABASE_URL`` when set (None otherwise: use the embedded default)."""
        return url_from_env()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def _session(self, write: bool = False) -> Iterator[Session]:
        """A session whose database errors reach the user as one line with the driver's own message
        (never the SQL or its parameters, which SQLAlchemy's rendering includes): data the database
        refuses (a NUL byte in text on PostgreSQL, a value out of range) is the input's fault, exit 2;
        anything else (locked past the busy timeout, unreachable, disk full) the environment's, exit 3."""
        try:
            bind = self._engine.execution_options(**{WRITE: True}) if write else self._engine
            with Session(bind) as session:
                yield session
        except (DataError, IntegrityError) as e:
            raise UserError(f"the database at '{self.url}' refused the data: {terminal(reason_of(e))}; "
                            "nothing was stored (remove NUL bytes or other values the database cannot "
                            "hold from the input)") from None
        except SQLAlchemyError as e:
            raise EnvironmentFault(f"database error at '{self.url}': {terminal(reason_of(e))}") from None

    # --- writing ---------------------------------------------------------------------------------
    def save_assessment(self, submission: Submission, suite: Suite, verdicts: Mapping[str, Verdict],
                        assessment: Assessment, inputs: Mapping[str, str] | None = None) -> str:
        """Store the assessment with its submission, evidence, suite and the verdicts it used (keyed
        by transcript content hash, cached under the judge named in the assessment's provenance),
        all in one transaction: all of it or none of it. What is already stored is left as it is and
        skipped before its rows are built: a stored assessment was stored with everything it rests on,
        a stored submission with its evidence. ``inputs`` (transcript hash -> judge input hash) saves
        recomputing what the caller has computed. Returns the assessment id."""
        evidence = set(submission.evidence_hashes())
        stray = sorted(set(verdicts) - evidence)
        if stray:
            raise UserError(f"{len(stray)} verdict(s) are for transcripts not in submission "
                            f"'{submission.id}' (first: {stray[0]}); nothing was stored")
        key = _write.submission_key(submission)

        def put_evidence(conn: Connection, now: dt.datetime) -> None:
            if not _write.has_submission(conn, key):
                _write.put_submission(conn, submission, key, now)
                _write.put_transcripts(conn, submission, key)
            if verdicts:
                _write.put_verdicts(conn, verdicts, inputs if inputs is not None else
                                    _write.input_hashes(submission, suite), assessment.provenance.judge)

        return self._store_assessment(submission, suite, assessment, key, put_evidence)

    def save_rerun(self, key: str, submission_digest: str, suite_ref: str, assessment_id: str, transcripts: int,
                   outputs: bytes) -> None:
        """Keep a finished run's outputs under its run key (:mod:`jailscale.runner.rerun`). A key already
        stored is kept as it is (the same inputs give the same outputs; a concurrent run may have
        stored it first). The assessment must be stored."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session(write=True) as session, session.begin():
                    if session.get(RerunRecord, key) is not None:
                        return
                    session.add(RerunRecord(key=key, submission_digest=submission_digest, suite_ref=suite_ref,
                                            assessment_id=assessment_id, transcripts=transcripts, outputs=outputs,
                                            created_at=dt.datetime.now(dt.UTC)))
                return
            except UserError:
                if self.find_rerun(key) is not None:
                    return  # stored by a concurrent run between the check and the insert
                raise
            except EnvironmentFault as e:
                if attempt + 1 == WRITE_ATTEMPTS or not _transient(str(e)):
                    raise
                time.sleep(RETRY_PAUSE_S * (2 ** attempt) * (0.5 + random.random()))

    def save_streamed(self, submission: Submission, suite: Suite, assessment: Assessment, key: str,
                      evidence: int, rows: Callable[[], Iterable[_write.SpooledRow]],
                      links: Callable[[], Iterable[tuple[str, str]]]) -> str:
        """Store a streamed assessment (``jailscale.runner.assess`` with evidence read in chunks):
        ``submission`` without its evidence, ``key`` its record key computed as the transcripts went by
        (:func:`~jailscale.runner.digests.SubmissionKey`), ``evidence`` how many there were, ``rows()``
        its transcripts with their verdicts in transcript-hash order and ``links()`` each transcript's
        hash and recorded verdicts in input order (both read back from the run's spool, and called
        again when a transient failure repeats the transaction). As :meth:`save_assessment`: one
        transaction, what is stored skipped, all or nothing. Returns the assessment id."""
        def put_evidence(conn: Connection, now: dt.datetime) -> None:
            new = not _write.has_submission(conn, key)
            if new:
                _write.put_submission(conn, submission, key, now, evidence=evidence)
            _write.put_streamed(conn, key, rows(), links(), assessment.provenance.judge, with_evidence=new)

        return self._store_assessment(submission, suite, assessment, key, put_evidence)

    def _store_assessment(self, submission: Submission, suite: Suite, assessment: Assessment, key: str,
                          put_evidence: Callable[[Connection, dt.datetime], None]) -> str:
        """The one transaction both save paths share: checked names, the writers' lock, a stored
        assessment skipped, the suite, the evidence (``put_evidence``), the assessment; repeated with a
        growing pause when the failure is transient (a lock, a deadlock, a serialisation failure)."""
        if assessment.suite.hash != suite.content_hash:
            raise UserError(f"assessment {assessment.id} names suite {assessment.suite.hash}, but the "
                            f"suite given has hash {suite.content_hash}; nothing was stored")
        if assessment.submission != submission.id:
            raise UserError(f"assessment {assessment.id} is of submission '{assessment.submission}', "
                            f"not '{submission.id}'; nothing was stored")
        for attempt in range(WRITE_ATTEMPTS):
            now = dt.datetime.now(dt.UTC)
            try:
                with self._session(write=True) as session, session.begin():
                    conn = session.connection()
                    _write.serialise_writers(conn)
                    if _write.has_assessment(conn, assessment.id):
                        return assessment.id
                    _write.put_suite(conn, suite, now)
                    with _write.write_cache(conn):
                        put_evidence(conn, now)
                    _write.put_assessment(conn, assessment, key)
                return assessment.id
            except EnvironmentFault as e:
                if attempt + 1 == WRITE_ATTEMPTS or not _transient(str(e)):
                    raise
                time.sleep(RETRY_PAUSE_S * (2 ** attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    # --- reading ---------------------------------------------------------------------------------
    def rerun_suite_refs(self, submission_digest: str) -> list[str]:
        """How stored runs of a submission file with these bytes named their suite (few; often none)."""
        R = RerunRecord
        with self._session() as s:
            return sorted(set(s.scalars(select(R.suite_ref).where(R.submission_digest == submission_digest)
                                        .limit(100))))

    def find_rerun(self, key: str) -> tuple[Assessment, int, bytes] | None:
        """The stored run with this run key: its assessment (checked as :meth:`get_assessment` checks
        it), the number of transcripts and the packed outputs; None when there is none."""
        with self._session() as s:
            row = s.execute(select(RerunRecord.transcripts, RerunRecord.outputs, AssessmentRecord)
                            .join(AssessmentRecord, AssessmentRecord.id == RerunRecord.assessment_id)
                            .where(RerunRecord.key == key)).first()
            if row is None:
                return None
            transcripts, outputs, rec = row
            return _checked(rec), int(transcripts), bytes(outputs)

    def list_assessments(self, limit: int = 50, *, target: str | None = None, technique: str | None = None,
                         rating: str | None = None, since: dt.datetime | None = None,
                         until: dt.datetime | None = None) -> list[AssessmentRow]:
        """The newest assessments first, optionally only those whose target or technique contains the
        given text (case-insensitive), with this rating (``withheld`` for a withheld score), or created
        in ``[since, until)``."""
        A, S = AssessmentRecord, SubmissionRecord
        q = select(*AssessmentRow.columns()).join(S, S.key == A.submission_key)
        if target:
            q = q.where(func.lower(S.target_model).contains(target.lower(), autoescape=True))
        if technique:
            q = q.where(func.lower(S.technique_name).contains(technique.lower(), autoescape=True))
        if rating == "withheld":
            q = q.where(A.score.is_(None))
        elif rating:
            q = q.where(A.rating == rating)
        if since is not None:
            q = q.where(A.created_at >= since)
        if until is not None:
            q = q.where(A.created_at < until)
        q = q.order_by(A.created_at.desc(), A.id).limit(limit)
        with self._session() as s:
            return [AssessmentRow.of(r) for r in s.execute(q)]

    def created_at(self, id: str) -> dt.datetime | None:
        """When the assessment with exactly this id was first stored (its ``created_at``), or None."""
        with self._session() as s:
            t = s.scalars(select(AssessmentRecord.created_at).where(AssessmentRecord.id == id)).first()
        return None if t is None else _utc(t)

    def get_assessment(self, id_or_prefix: str) -> Assessment:
        """The assessment with this id, or with the one id that starts with this prefix (at least
        6 characters; the ``sha256:`` in front may be left out)."""
        p = id_or_prefix.strip()
        hexpart = p.removeprefix("sha256:")
        if len(hexpart) < MIN_PREFIX:
            raise UserError(f"assessment id '{p}' is too short: give at least {MIN_PREFIX} characters "
                            "(run `jailscale list` to see the ids)")
        col = AssessmentRecord.id
        cond = _prefix(col, p.lower())  # ids are lower-case hex
        if not p.startswith("sha256:"):
            cond = or_(cond, _prefix(col, "sha256:" + p.lower()))
        with self._session() as s:
            found = list(s.scalars(select(AssessmentRecord).where(cond).order_by(col).limit(6)))
            if not found:
                raise UserError(f"no stored assessment has an id starting with '{p}' "
                                "(run `jailscale list` to see the ids)")
            if len(found) > 1:
                shown = ", ".join(r.id[:19] for r in found[:5]) + (", ..." if len(found) > 5 else "")
                raise UserError(f"assessment id prefix '{p}' is ambiguous: it matches {shown}; give more "
                                "characters (run `jailscale list` to see the ids)")
            return _checked(found[0])

    def get_submission(self, id: str) -> Submission:
        """A stored submission with its evidence, by record key, content hash or submission id
        (the most recently stored version when there are several)."""
        R = SubmissionRecord
        q = (select(R).where(or_(R.key == id, R.content_hash == id, R.id == id))
             .order_by((R.key == id).desc(), R.created_at.desc(), R.key).limit(1))
        with self._session() as s:
            rec = s.scalars(q).first()
            if rec is None:
                raise UserError(f"no stored submission '{id}' (run `jailscale list` to see what is stored)")
            rows = s.execute(select(EvidenceLink.recorded_verdicts, TranscriptRecord.body)
                             .join(TranscriptRecord, TranscriptRecord.hash == EvidenceLink.transcript_hash)
                             .where(EvidenceLink.submission_key == rec.key)
                             .order_by(EvidenceLink.position)).all()
            evidence = [Transcript.model_validate({**body, "verdicts": recorded}) for recorded, body in rows]
            return Submission.model_validate({**rec.body, "evidence": evidence})

    def get_suite(self, hash: str) -> Suite:
        with self._session() as s:
            rec = s.get(SuiteRecord, hash)
            if rec is None:
                raise UserError(f"no stored suite with hash '{hash}'")
            return Suite(name=rec.name, version=rec.version, source=rec.source, private=rec.private,
                         behaviours=rec.behaviours)

    def verdicts_for(self, inputs: Mapping[str, str], judge: str, version: str,
                     config_hash: str) -> dict[str, Verdict]:
        """Stored verdicts of this judge, version and configuration, by transcript hash, for the
        transcripts of ``inputs`` (transcript hash -> :func:`~jailscale.formats.judge_input_hash`):
        reused only when everything the judge read is the same, and only when the row's seal verifies
        under this machine's secret (``store._seal``): an edited row, one stored by another machine or
        before seals existed, is left out, so its transcript is judged again."""
        secret = local_secret()
        if secret is None:
            return {}
        wanted = sorted(set(inputs))
        out: dict[str, Verdict] = {}
        parsed: dict[str, tuple[Verdict, str]] = {}  # equal bodies (the same reading) parsed once
        with self._session() as s:
            for h, ih, text, sealed in _write.stored_verdict_rows(
                    s.connection(), "transcript_hash, input_hash, CAST(body AS TEXT), seal", judge, version,
                    config_hash, wanted):
                if not (ih and inputs[h] == ih and sealed):
                    continue
                got = parsed.get(text)
                if got is None:
                    v = Verdict.model_validate_json(text)
                    got = parsed.setdefault(text, (v, v.model_dump_json()))
                if hmac.compare_digest(sealed, verdict_seal(secret, h, judge, version, config_hash, ih, got[1])):
                    out[h] = got[0]
        return out

    def delete_assessment(self, id_or_prefix: str) -> Assessment:
        """Delete one stored assessment (by id or unique prefix, as :meth:`get_assessment`) and
        return it. Its submission, evidence, suite and verdicts stay: they are content-addressed and
        may be shared with other assessments (and cached verdicts save re-judging)."""
        a = self.get_assessment(id_or_prefix)
        with self._session() as s, s.begin():
            s.execute(delete(RerunRecord).where(RerunRecord.assessment_id == a.id))  # its outputs go with it
            rec = s.get(AssessmentRecord, a.id)
            if rec is not None:
                s.delete(rec)
        return a

    def counts(self) -> dict[str, int]:
        """Rows per table of the store (the registry's tables, which share the database, are not counted)."""
        tables = [t for t in Base.metadata.sorted_tables if t.name in TABLES]
        with self._session() as s:
            return {t.name: int(s.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in sorted(tables, key=lambda t: t.name)}


