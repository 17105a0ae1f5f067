"""Opening a store and finding things in it: default location, bad URLs, id prefixes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from jailscale.errors import EnvironmentFault, UserError
from jailscale.formats import Assessment, Submission, Suite, Verdict
from jailscale.store import Store, mask

Bundle = tuple[Submission, Suite, dict[str, Verdict], Assessment]


def test_default_is_sqlite_in_jailscale_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             bundle: Bundle) -> None:
    home = tmp_path / "a" / "home"
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    with Store.open() as store:
        store.save_assessment(*bundle)
    assert (home / "jailscale.sqlite3").is_file()
    with Store.open(None) as store:
        assert store.counts()["assessments"] == 1


def test_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    assert Store.url_from_env() is None
    monkeypatch.setenv("JAILSCALE_DATABASE_URL", "")
    assert Store.url_from_env() is None
    monkeypatch.setenv("JAILSCALE_DATABASE_URL", "sqlite:///x.sqlite3")
    assert Store.url_from_env() == "sqlite:///x.sqlite3"


@pytest.mark.parametrize(("url", "says"), [
    ("not a url", "malformed database URL 'not a url'"),
    ("postgresql+psycopg://alice:s3cret@127.0.0.1:notaport/db", "malformed database URL"),
    ("postgresql+psycopg://alice:s3cret@127.0.0.1:1/db", "cannot reach the database at "
                                                         "'postgresql+psycopg://alice:***@127.0.0.1:1/db'"),
    ("nosuchdriver://alice:s3cret@host/db", "cannot use database URL 'nosuchdriver://alice:***@host/db'"),
])
def test_bad_url_is_a_user_error_with_password_masked(url: str, says: str) -> None:
    # an unreachable server is the environment's fault (exit 3), a malformed URL the user's (exit 2)
    with pytest.raises(EnvironmentFault if "reach" in says else UserError) as info:
        Store.open(url)
    assert says in str(info.value)
    assert "s3cret" not in str(info.value)


def test_unwritable_sqlite_path(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"cannot open the SQLite database.*folder that exists"):
        Store.open(f"sqlite:///{tmp_path / 'missing' / 'folder' / 'x.sqlite3'}")
    (tmp_path / "notes.txt").write_text("not a database " * 100, encoding="utf-8")
    with pytest.raises(UserError, match="file is not a database"):
        Store.open(f"sqlite:///{tmp_path / 'notes.txt'}")


@pytest.mark.postgres
def test_authentication_failure_is_the_environment(pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(username="jailscale_no_such_role", password="s3cret")
    with pytest.raises(EnvironmentFault, match="cannot reach the database") as info:
        Store.open(url.render_as_string(hide_password=False))
    assert "s3cret" not in str(info.value)


class _Orig(Exception):
    def __init__(self, sqlite: str | None = None, sqlstate: str | None = None) -> None:
        super().__init__("x")
        if sqlite is not None:
            self.sqlite_errorname = sqlite
        if sqlstate is not None:
            self.sqlstate = sqlstate


@pytest.mark.parametrize(("kind", "orig", "opened", "env"), [
    ("DatabaseError", _Orig(sqlite="SQLITE_NOTADB"), False, False),  # a path the user gave
    ("DatabaseError", _Orig(sqlite="SQLITE_NOTADB"), True, True),  # replaced under a running service
    ("OperationalError", _Orig(sqlite="SQLITE_CANTOPEN"), False, False),
    ("OperationalError", _Orig(sqlite="SQLITE_IOERR_SHORT_READ"), False, True),
    ("OperationalError", _Orig(sqlite="SQLITE_FULL"), False, True),
    ("OperationalError", _Orig(sqlstate="08006"), False, True),  # connection failure
    ("OperationalError", _Orig(sqlstate="28P01"), False, True),  # wrong password
    ("OperationalError", _Orig(), False, True),  # refused: no SQLSTATE at all
    ("ProgrammingError", _Orig(sqlstate="42P01"), True, True),  # a table dropped under the service
    ("ProgrammingError", _Orig(sqlstate="42601"), True, False),  # a syntax error: the code's fault
    ("DataError", _Orig(sqlstate="22021"), True, False),  # a NUL byte: the input's fault
    ("IntegrityError", _Orig(sqlstate="23505"), True, False),
])
def test_environmental_errors_are_told_apart(kind: str, orig: Exception, opened: bool, env: bool) -> None:
    from sqlalchemy import exc

    from jailscale.store._engine import environmental

    e = getattr(exc, kind)("SELECT 1", {}, orig)
    assert environmental(e, opened=opened) is env


def test_mask() -> None:
    assert mask("postgresql://u:pw@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert mask("postgresql://u:pw@h:bad/d") == "postgresql://u:***@h:bad/d"
    assert mask("postgresql://u@h/d") == "postgresql://u@h/d"


def test_prefix_lookup(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, assessment = bundle
    store.save_assessment(sub, suite, verdicts, assessment)
    hexid = assessment.id.removeprefix("sha256:")
    assert store.get_assessment(assessment.id) == assessment
    assert store.get_assessment(hexid[:6]) == assessment
    assert store.get_assessment("sha256:" + hexid[:8]) == assessment
    with pytest.raises(UserError, match=r"too short.*jailscale list"):
        store.get_assessment(hexid[:5])
    other = "0" if hexid[0] != "0" else "1"
    with pytest.raises(UserError, match=r"no stored assessment.*jailscale list"):
        store.get_assessment(other * 8)
    with pytest.raises(UserError, match="no stored assessment"):
        store.get_assessment("%%%%%%")  # LIKE wild cards are literal


def test_ambiguous_prefix(store: Store, make: SimpleNamespace, bundle: Bundle) -> None:
    sub, suite, verdicts, _ = bundle
    for aid in ("sha256:abcdef01" + "0" * 56, "sha256:abcdef02" + "0" * 56):
        store.save_assessment(sub, suite, verdicts, make.assessment(sub, suite, aid=aid))
    with pytest.raises(UserError, match=r"ambiguous.*abcdef01.*abcdef02.*jailscale list"):
        store.get_assessment("abcdef")
    assert store.get_assessment("abcdef02").id.startswith("sha256:abcdef02")


def test_unknown_submission_and_suite(store: Store) -> None:
    with pytest.raises(UserError, match="no stored submission 'nope'"):
        store.get_submission("nope")
    with pytest.raises(UserError, match="no stored suite"):
        store.get_suite("sha256:" + "0" * 64)


def _locked_rollback_file(path: Path) -> sqlite3.Connection:
    """A SQLite file not yet in WAL mode (a store being created), with a write lock held on it."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE placeholder (a)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO placeholder VALUES (1)")
    return holder


def test_opening_a_store_being_created_waits_for_its_lock(tmp_path: Path) -> None:
    """Turning the file to WAL fails at once, without SQLite's busy handler, while another connection
    holds a lock on a file not yet in WAL (several runs starting on a new store): the open waits and
    tries again instead of failing with "database is locked"."""
    from jailscale.store._engine import connect

    path = tmp_path / "new.sqlite3"
    holder = _locked_rollback_file(path)
    timer = threading.Timer(0.5, holder.commit)
    timer.start()
    t0 = time.monotonic()
    try:
        engine = connect(f"sqlite:///{path}")
    finally:
        timer.join()
        holder.close()
    try:
        assert time.monotonic() - t0 >= 0.4  # it waited for the lock to go
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        engine.dispose()


def test_a_lock_held_past_the_busy_timeout_is_the_environments_fault(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from jailscale.store import _engine

    monkeypatch.setattr(_engine, "SQLITE_BUSY_MS", 300)
    path = tmp_path / "new.sqlite3"
    holder = _locked_rollback_file(path)
    t0 = time.monotonic()
    try:
        with pytest.raises(EnvironmentFault, match="database is locked"):
            _engine.connect(f"sqlite:///{path}")
    finally:
        holder.close()
    assert time.monotonic() - t0 >= 0.29  # tried again until the timeout, not failed at once
