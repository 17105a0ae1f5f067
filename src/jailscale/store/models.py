"""The store's tables, as typed SQLAlchemy 2 declarative models.

Every row that holds evidence is keyed by a content hash, so writing the same thing twice adds
nothing. ``body`` columns keep the full record as JSON (``sqlalchemy.JSON``: TEXT on SQLite, JSON on
PostgreSQL); the other columns are the fields people filter and list by.

A change here needs a migration in ``migrations/versions/`` (see ``_migrate.revision``); a test
compares these models with the migrations and fails when they disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

HASH = String(80)  # "sha256:" and 64 hex digits
NAME = String(200)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class SuiteRecord(Base):
    """A behaviour suite, by the hash of its behaviours."""

    __tablename__ = "suites"

    hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(NAME)
    source: Mapped[str] = mapped_column(Text)
    private: Mapped[bool]
    behaviours: Mapped[list[Any]]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SubmissionRecord(Base):
    """A submission without its evidence. ``key`` hashes the submission's content hash together with
    its ordered evidence hashes: ``Submission.content_hash`` leaves the evidence out, so the same
    report with more evidence is a different record (and the same report with the same evidence is
    the same record)."""

    __tablename__ = "submissions"

    key: Mapped[str] = mapped_column(HASH, primary_key=True)
    id: Mapped[str] = mapped_column(NAME, index=True)
    content_hash: Mapped[str] = mapped_column(HASH, index=True)
    title: Mapped[str] = mapped_column(Text)
    technique_kind: Mapped[str] = mapped_column(String(32))
    technique_name: Mapped[str] = mapped_column(Text)
    target_model: Mapped[str] = mapped_column(Text)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[int]
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TranscriptRecord(Base):
    """One transcript, by its content hash (verdicts recorded with it are kept per submission, in
    ``submission_evidence``). ``submission_key`` names the submission that first brought it."""

    __tablename__ = "transcripts"

    hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    submission_key: Mapped[str] = mapped_column(ForeignKey("submissions.key"))  # not indexed: no query reads it (0006)
    behaviour: Mapped[str] = mapped_column(NAME)
    condition: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str | None] = mapped_column(Text)
    sample: Mapped[int]
    body: Mapped[dict[str, Any]]


class EvidenceLink(Base):
    """Which transcripts a submission holds, in order: the same transcript (a shared baseline, say)
    may belong to several submissions. On SQLite a table ``WITHOUT ROWID`` (0007): its rows live in
    the primary key's B-tree, small rows written in key order, instead of in a rowid table beside an
    index that repeats the key."""

    __tablename__ = "submission_evidence"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    submission_key: Mapped[str] = mapped_column(ForeignKey("submissions.key"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_hash: Mapped[str] = mapped_column(ForeignKey("transcripts.hash"))  # not indexed (0006)
    recorded_verdicts: Mapped[list[Any]]


class VerdictRecord(Base):
    """A judge's verdict on a transcript; one per (transcript, judge, version, config, input), its
    primary key: the cache that lets a re-run skip judging what it has judged. ``input_hash`` covers
    everything the judge read (``formats.judge_input_hash``: the transcript, its recorded verdicts, the
    behaviour); rows stored before it existed have '' and are never reused. ``seal`` is an HMAC under
    this machine's secret (``store._seal``): a row that does not verify is never reused.

    Until revision 0007 a row had a surrogate ``id`` (read by no query) and the key was a unique index
    beside the table, which repeated the three hashes of every row (273 bytes a verdict on SQLite).
    Now the key is the primary key and, on SQLite, the table is ``WITHOUT ROWID``: each verdict is
    stored once, in the key's B-tree, where the lookups by transcript hash read it."""

    __tablename__ = "verdicts"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    transcript_hash: Mapped[str] = mapped_column(ForeignKey("transcripts.hash"), primary_key=True)
    judge: Mapped[str] = mapped_column(NAME, primary_key=True)
    judge_version: Mapped[str] = mapped_column(NAME, primary_key=True)
    config_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    input_hash: Mapped[str] = mapped_column(HASH, primary_key=True, server_default="")
    label: Mapped[str] = mapped_column(String(16))
    quality: Mapped[float | None] = mapped_column(Float)
    body: Mapped[dict[str, Any]]
    seal: Mapped[str] = mapped_column(String(80), server_default="")


class AssessmentRecord(Base):
    """An assessment, by its content id."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    submission_key: Mapped[str] = mapped_column(ForeignKey("submissions.key"), index=True)
    submission_id: Mapped[str] = mapped_column(NAME)
    title: Mapped[str] = mapped_column(Text)
    suite_hash: Mapped[str] = mapped_column(ForeignKey("suites.hash"))
    vector: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    rating: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]


class RerunRecord(Base):
    """A finished run's outputs (``assessment.json``, ``report.md``, ``report.html``, compressed) by a
    key over everything that went into them (:mod:`jailscale.runner.rerun`: the submission file's bytes,
    the suite, the judge and its configuration, the calibration, policy and baselines, the code that
    measured and rendered, the spec, the creation-time rule): a rerun with the same key writes these
    instead of reading, judging and measuring again. ``suite_ref`` is the suite as the run named it
    (the option, or the submission's own ``suite:`` field), so a rerun can resolve the suite and check
    its content without parsing the submission. Deleted with its assessment."""

    __tablename__ = "assessment_reruns"

    key: Mapped[str] = mapped_column(HASH, primary_key=True)
    submission_digest: Mapped[str] = mapped_column(HASH, index=True)
    suite_ref: Mapped[str] = mapped_column(Text)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    transcripts: Mapped[int]
    outputs: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


TABLES = ("suites", "submissions", "transcripts", "submission_evidence", "verdicts", "assessments",
          "assessment_reruns")
