"""The standard-library reader of a SQLite store's rerun records (store/_fastread.py): it reads what the
Store reads, makes the same check of the stored assessment, and opens only a plain SQLite file at the
newest schema; anything else is None (the caller opens the full Store, which migrates or refuses).

Every store here is written by the normal path (``Store``), never by hand, but for the edits that
stand for tampering.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from jailscale.errors import UserError
from jailscale.integrity import TamperedError
from jailscale.store import Store
from jailscale.store._fastread import open_reader, sqlite_path
from jailscale.store._paths import head_from_files

KEY, DIGEST = "sha256:" + "a" * 64, "sha256:" + "b" * 64


@pytest.fixture
def filled(tmp_path: Path, bundle: tuple[Any, ...]) -> SimpleNamespace:
    """A SQLite store holding one assessment and two rerun rows of it (two ways of naming the suite)."""
    sub, suite, verdicts, assessment = bundle
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with Store.open(url) as s:
        s.save_assessment(sub, suite, verdicts, assessment)
        s.save_rerun(KEY, DIGEST, "option:practice", assessment.id, 4, b"packed outputs")
        s.save_rerun("sha256:" + "c" * 64, DIGEST, "submission:practice", assessment.id, 4, b"other outputs")
    return SimpleNamespace(url=url, file=tmp_path / "store.sqlite3", assessment=assessment)


def test_the_reader_reads_what_the_store_reads(filled: SimpleNamespace) -> None:
    reader = open_reader(filled.url)
    assert reader is not None
    with Store.open(filled.url) as s:
        assert reader.rerun_suite_refs(DIGEST) == s.rerun_suite_refs(DIGEST) == ["option:practice",
                                                                                 "submission:practice"]
        assert reader.rerun_suite_refs("sha256:" + "0" * 64) == s.rerun_suite_refs("sha256:" + "0" * 64) == []
        assert reader.find_rerun(KEY) == s.find_rerun(KEY) == (filled.assessment, 4, b"packed outputs")
        assert reader.find_rerun("sha256:" + "0" * 64) is None is s.find_rerun("sha256:" + "0" * 64)
    reader.close()


def test_the_reader_writes_nothing(filled: SimpleNamespace) -> None:
    before = filled.file.read_bytes()
    reader = open_reader(filled.url)
    assert reader is not None
    reader.find_rerun(KEY)
    reader.close()
    assert filled.file.read_bytes() == before


@pytest.mark.parametrize(("edit", "error"), [
    ("update assessments set score = 0.0, rating = 'None'", TamperedError),  # columns disagree with the body
    ("update assessments set body = json_set(body, '$.vector', 7)", UserError),  # the body does not parse
])
def test_a_tampered_assessment_row_is_refused_as_the_store_refuses_it(filled: SimpleNamespace, edit: str,
                                                                      error: type[Exception]) -> None:
    with sqlite3.connect(filled.file) as c:
        c.execute(edit)
    reader = open_reader(filled.url)
    assert reader is not None
    with pytest.raises(error) as fast:
        reader.find_rerun(KEY)
    with pytest.raises(error) as full, Store.open(filled.url) as s:
        s.find_rerun(KEY)
    assert str(fast.value) == str(full.value)
    reader.close()


def test_an_older_schema_is_left_to_the_store_which_migrates_it(tmp_path: Path) -> None:
    """A store at the previous revision (made by Alembic itself): no reader; the Store migrates it."""
    from alembic import command

    from jailscale.store._engine import connect
    from jailscale.store._migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = connect(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0004")
    engine.dispose()
    with sqlite3.connect(tmp_path / "old.sqlite3") as c:
        assert c.execute("select version_num from alembic_version").fetchall() == [("0004",)]
    assert head_from_files() != "0004"
    assert open_reader(url) is None
    Store.open(url).close()  # the full path migrates it
    assert open_reader(url) is not None


def test_a_newer_schema_is_left_to_the_store_which_refuses_it(filled: SimpleNamespace) -> None:
    with sqlite3.connect(filled.file) as c:
        c.execute("update alembic_version set version_num = '9999'")
    assert open_reader(filled.url) is None
    with pytest.raises(UserError, match="which this jailscale does not know"):
        Store.open(filled.url)


def test_a_store_without_a_schema_version_is_left_to_the_store(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "empty.sqlite3").close()
    assert open_reader(f"sqlite:///{tmp_path / 'empty.sqlite3'}") is None
    (tmp_path / "junk.sqlite3").write_bytes(b"PLACEHOLDER not a database" * 100)
    assert open_reader(f"sqlite:///{tmp_path / 'junk.sqlite3'}") is None


def test_a_missing_file_is_not_created(tmp_path: Path) -> None:
    assert open_reader(f"sqlite:///{tmp_path / 'none.sqlite3'}") is None
    assert not (tmp_path / "none.sqlite3").exists()


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:////abs/x.sqlite3", "/abs/x.sqlite3"),
    ("sqlite:///rel/x.sqlite3", None),  # relative to the current folder, as SQLAlchemy resolves it
    ("sqlite:///:memory:", None), ("sqlite://", None), ("sqlite:///a%20b.db", None), ("sqlite:///x.db?mode=ro", None),
    ("sqlite:///x#y", None), ("sqlite:///file:x.db", None), ("sqlite+pysqlite:////abs/x.db", None),
    ("postgresql+psycopg://u@h/db", None), ("", None),
])
def test_only_a_plain_sqlite_file_url_is_read(url: str, path: str | None) -> None:
    if url == "sqlite:///rel/x.sqlite3":
        assert sqlite_path(url) == str(Path("rel/x.sqlite3").resolve())
        return
    assert sqlite_path(url) == path


def test_a_postgresql_store_is_left_to_the_store() -> None:
    assert open_reader("postgresql+psycopg://postgres@127.0.0.1:5432/test") is None


def test_the_reader_imports_no_sqlalchemy(filled: SimpleNamespace) -> None:
    probe = ("import sys; from jailscale.store._fastread import open_reader; r = open_reader(sys.argv[1]); "
             f"r.find_rerun({KEY!r}); print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('sqlalchemy', 'alembic')))")
    done = subprocess.run([sys.executable, "-c", probe, filled.url], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_store_package_imports_sqlalchemy_only_when_used() -> None:
    probe = ("import sys; import jailscale.store, jailscale.store._paths, jailscale.store._seal; "
             "a = 'sqlalchemy' in sys.modules; from jailscale.store import Store; "
             "print(json.dumps([a, 'sqlalchemy' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", "import json; " + probe], capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout) == [False, True]
