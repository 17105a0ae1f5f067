"""Writing one assessment and everything it rests on, as stages inside one transaction.

Each stage inserts with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it), so
writing what is already stored adds nothing, also when two processes write at once. The caller
(``Store.save_assessment``) owns the transaction: if any stage fails, none of them is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from ..formats import Assessment, JudgeRef, Submission, Suite, Verdict, sha256_of
from ..formats.evidence import judge_input_hash
from .models import (
    AssessmentRecord,
    EvidenceLink,
    SubmissionRecord,
    SuiteRecord,
    TranscriptRecord,
    VerdictRecord,
)


def submission_key(submission: Submission) -> str:
    """The submission record's key: its content hash with its ordered evidence hashes."""
    return sha256_of({"submission": submission.content_hash, "evidence": submission.evidence_hashes()})


def _insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping any that conflict with a stored row (same key or unique columns)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def put_suite(conn: Connection, suite: Suite, now: dt.datetime) -> None:
    _insert_new(conn, SuiteRecord.__table__, [{  # type: ignore[arg-type]
        "hash": suite.content_hash, "name": suite.name, "version": suite.version,
        "source": suite.source, "private": suite.private,
        "behaviours": [b.model_dump(mode="json") for b in suite.behaviours], "created_at": now,
    }])


def put_submission(conn: Connection, submission: Submission, key: str, now: dt.datetime) -> None:
    _insert_new(conn, SubmissionRecord.__table__, [{  # type: ignore[arg-type]
        "key": key, "id": submission.id, "content_hash": submission.content_hash,
        "title": submission.title, "technique_kind": submission.technique.kind,
        "technique_name": submission.technique.name, "target_model": submission.target.model,
        "assessed_on": submission.assessed_on, "evidence": len(submission.evidence),
        "body": submission.model_dump(mode="json", exclude={"evidence"}), "created_at": now,
    }])


def put_transcripts(conn: Connection, submission: Submission, key: str) -> None:
    transcripts, links, seen = [], [], set()
    for position, t in enumerate(submission.evidence):
        h = t.content_hash
        if h not in seen:
            seen.add(h)
            transcripts.append({
                "hash": h, "submission_key": key, "behaviour": t.behaviour, "condition": t.condition,
                "reference": t.reference, "sample": t.sample,
                "body": t.model_dump(mode="json", exclude={"verdicts"}),
            })
        links.append({"submission_key": key, "position": position, "transcript_hash": h,
                      "recorded_verdicts": [v.model_dump(mode="json") for v in t.verdicts]})
    _insert_new(conn, TranscriptRecord.__table__, transcripts)  # type: ignore[arg-type]
    _insert_new(conn, EvidenceLink.__table__, links)  # type: ignore[arg-type]


def input_hashes(submission: Submission, suite: Suite) -> dict[str, str]:
    """Transcript hash -> hash of everything a judge read for it (the verdict cache key)."""
    by_id = suite.by_id()
    return {t.content_hash: judge_input_hash(by_id[t.behaviour], t)
            for t in submission.evidence if t.behaviour in by_id}


def put_verdicts(conn: Connection, verdicts: Mapping[str, Verdict], inputs: Mapping[str, str],
                 judge: JudgeRef) -> None:
    """Keyed by the judge the assessment names and by what it read (what ``Store.verdicts_for`` is
    asked with); each verdict's own fields stay in its body."""
    _insert_new(conn, VerdictRecord.__table__, [{  # type: ignore[arg-type]
        "transcript_hash": h, "judge": judge.name, "judge_version": judge.version,
        "config_hash": judge.config_hash, "input_hash": inputs[h], "label": v.label, "quality": v.quality,
        "body": v.model_dump(mode="json"),
    } for h, v in sorted(verdicts.items())])


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
