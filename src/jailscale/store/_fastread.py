"""The rerun shortcut's reads from a SQLite store with the standard library's ``sqlite3``, without
SQLAlchemy (issue 8: a rerun at most 0.2x a fresh run; importing SQLAlchemy alone was a fifth of it).

:func:`open_reader` serves only what it can read exactly as :class:`jailscale.store.Store` reads it: a
plain ``sqlite:///PATH`` URL naming a file that exists, whose schema revision (``alembic_version``) is
exactly the newest one this jailscale ships. Anything else (PostgreSQL, a URL with a query or escapes,
a missing file, an older schema the full path would migrate, a newer one it would refuse, any database
error) gives None, and the caller opens the full Store, which migrates, refuses or reports as always.

The reader answers the two questions :func:`jailscale.runner.rerun.lookup` asks, with the same SQL the
Store sends, and makes the same check of the stored assessment (:func:`checked_assessment`, which the
Store uses too); the lookup then makes all of its own checks (seal, stored outputs, integrity) as it
does for the Store. It only reads: nothing is written, created or migrated.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ._paths import head_from_files

if TYPE_CHECKING:
    from ..formats import Assessment

#: The one URL form served (SQLAlchemy's pysqlite default); anything else takes the full Store.
PREFIX = "sqlite:///"
#: The busy timeout of the full Store's SQLite connections (``_engine.SQLITE_BUSY_MS``), in seconds.
#: A reader of a database in write-ahead-log mode is not blocked by writers; this is a backstop.
BUSY_S = 300.0


def checked_assessment(body: Any, columns: Mapping[str, Any]) -> Assessment:
    """A stored assessment's body as an Assessment, refused when it does not parse (UserError) or when
    the columns kept beside it (``columns``: id, title, vector, score, rating, label, submission_id)
    disagree with it (:class:`~jailscale.integrity.TamperedError`): a row edited by hand. The one check
    of a stored row, made by the Store and by this reader alike."""
    from pydantic import ValidationError

    from ..errors import UserError
    from ..formats import Assessment
    from ..formats.io import describe
    from ..integrity import TamperedError, row_problems
    from ..textsafe import terminal

    shown = terminal(str(columns["id"])[:19])
    try:
        a = Assessment.model_validate(body)
    except ValidationError as e:
        raise UserError(f"stored assessment {shown} is not a valid assessment "
                        f"({describe(e, 2)}); the row was edited or written by another tool") from None
    problems = row_problems(a, columns)
    if problems:
        raise TamperedError(f"stored assessment {shown}", problems)
    return a


def sqlite_path(url: str) -> str | None:
    """The absolute path of the SQLite file a plain ``sqlite:///PATH`` URL names (as SQLAlchemy resolves
    it), or None for any other URL: another database, ``:memory:``, a query string, a fragment or
    percent-escapes (which SQLAlchemy would decode; not worth second-guessing)."""
    if not url.startswith(PREFIX):
        return None
    path = url[len(PREFIX):]
    if not path or path == ":memory:" or path.startswith("file:") or any(c in path for c in "?#%\0"):
        return None
    return os.path.abspath(path)


class SQLiteRerunReader:
    """The rerun records of one SQLite store, read with ``sqlite3`` (see the module's description)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def rerun_suite_refs(self, submission_digest: str) -> list[str]:
        """As :meth:`jailscale.store.Store.rerun_suite_refs`."""
        rows = self._conn.execute("SELECT suite_ref FROM assessment_reruns WHERE submission_digest = ? LIMIT 100",
                                  (submission_digest,)).fetchall()
        return sorted({r[0] for r in rows})

    def find_rerun(self, key: str) -> tuple[Assessment, int, bytes] | None:
        """As :meth:`jailscale.store.Store.find_rerun`: the stored assessment checked by
        :func:`checked_assessment` (which raises when it fails), the transcripts and the packed outputs."""
        row = self._conn.execute(
            "SELECT r.transcripts, r.outputs, a.id, a.title, a.vector, a.score, a.rating, a.label, a.submission_id, "
            "a.body FROM assessment_reruns AS r JOIN assessments AS a ON a.id = r.assessment_id WHERE r.key = ?",
            (key,)).fetchone()
        if row is None:
            return None
        transcripts, outputs, id_, title, vector, score, rating, label, submission_id, body = row
        if isinstance(body, str | bytes):  # a JSON column: TEXT as the Store writes it
            body = json.loads(body)
        a = checked_assessment(body, {"id": id_, "title": title, "vector": vector, "score": score,
                                      "rating": rating, "label": label, "submission_id": submission_id})
        return a, int(transcripts), bytes(outputs)

    def close(self) -> None:
        self._conn.close()


def open_reader(url: str) -> SQLiteRerunReader | None:
    """A reader of the SQLite store at ``url`` for the rerun shortcut, or None when the full Store must
    open it (see the module's description): not a plain SQLite file URL, no such file, a schema revision
    other than exactly the newest, or any error. Opened read-write but never written: a read-only open
    of a database in write-ahead-log mode can fail where the Store's open would not."""
    path = sqlite_path(url)
    newest = head_from_files()
    if path is None or newest is None or not os.path.isfile(path):
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=BUSY_S)
    except sqlite3.Error:
        return None
    try:
        if [r[0] for r in conn.execute("SELECT version_num FROM alembic_version").fetchall()] == [newest]:
            return SQLiteRerunReader(conn)
    except sqlite3.Error:
        pass
    conn.close()
    return None
