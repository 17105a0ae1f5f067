"""Results: stored first, then written all together; a failure leaves nothing partial and says what
happened in one line with the documented exit code; links in --out are never followed; database
errors never print SQL, parameters or credentials."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from hostile_cli import one_error_line, run_here

from jailscale.runner.demo import demo_path
from jailscale.runner.output import RESULT_FILES


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def _rows(home: Path) -> int:
    db = home / "jailscale.sqlite3"
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        return int(con.execute("select count(*) from assessments").fetchone()[0])
    finally:
        con.close()


def _sub(tmp: Path, name: str = "sub.json", **changes: object) -> Path:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    data.update(changes)
    p = tmp / name
    p.write_text(json.dumps(data, default=str), encoding="utf-8")
    return p


def _no_temporaries(parent: Path) -> None:
    left = [p.name for p in parent.iterdir() if p.name.startswith(".jailscale-")]
    assert left == [], left


def test_store_on_full_disk_leaves_no_reports(tmp_path: Path, small_disk: Path) -> None:
    """The store on a full disk: exit 3, one line, no reports, nothing stored."""
    filler = small_disk / "filler"
    filler.write_bytes(b"x" * 140_000)
    env = {"JAILSCALE_DATABASE_URL": f"sqlite:///{small_disk / 'store.sqlite3'}"}
    r = run_here(["assess", str(_sub(tmp_path)), "--out", str(tmp_path / "o")], tmp_path, env=env)
    line = one_error_line(r, 3)
    assert "full" in line or "disk" in line, line
    assert not (tmp_path / "o").exists()
    _no_temporaries(tmp_path)


def test_reports_on_full_disk_keep_the_previous_result(tmp_path: Path, small_disk: Path) -> None:
    out = small_disk / "out"
    first = run_here(["assess", str(_sub(tmp_path)), "--out", str(out), "--no-store"], tmp_path)
    assert first.code == 0, first.stderr
    before = _snapshot(out)
    assert set(before) == set(RESULT_FILES)
    changed = _sub(tmp_path, "sub2.json", title="A second, different title for the same evidence")
    r = run_here(["assess", str(changed), "--out", str(out)], tmp_path)
    line = one_error_line(r, 3)
    assert "disk is full" in line and "nothing partial" in line and "stored as" in line
    assert _snapshot(out) == before  # the complete previous result, untouched
    _no_temporaries(small_disk)
    assert _rows(tmp_path / "home") == 1  # stored first: the message says where it is


def test_symlinked_out_folder_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "report.html").write_text("keep me", encoding="utf-8")
    link = tmp_path / "out"
    link.symlink_to(victim)
    line = one_error_line(run_here(["assess", str(_sub(tmp_path)), "--out", str(link), "--no-store"], tmp_path))
    assert "symbolic link" in line
    assert (victim / "report.html").read_text() == "keep me"


def test_symlinked_result_file_is_replaced_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (out / "report.md").symlink_to(target)
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    r = run_here(["assess", str(_sub(tmp_path)), "--out", str(out), "--no-store"], tmp_path)
    assert r.code == 0, r.stderr
    assert target.read_text() == "keep me"
    assert not (out / "report.md").is_symlink() and (out / "report.md").read_text().startswith("# JSS")
    assert (out / "notes.txt").read_text() == "the user's own file"  # the user's files stay
    _no_temporaries(tmp_path)


def test_out_is_a_file_and_import_out_onto_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x", encoding="utf-8")
    line = one_error_line(run_here(["assess", str(_sub(tmp_path)), "--out", str(f), "--no-store"], tmp_path))
    assert "not a folder" in line
    line = one_error_line(run_here(["import", "jailbreakbench", str(_sub(tmp_path)), "--out", str(f)], tmp_path))
    assert "file" in line and "Traceback" not in line


@pytest.mark.shared
def test_import_out_unwritable(tmp_path: Path, repo_root: Path) -> None:
    artifact = repo_root.parent / "shared" / "data" / "jailbreakbench-artifacts" / "attack-artifacts" / "PAIR" / \
        "black_box" / "vicuna-13b-v1.5.json"
    if not artifact.is_file():
        pytest.skip(f"{artifact} is absent (public data read in place from ../shared/data)")
    line = one_error_line(run_here(["import", "jailbreakbench", str(artifact), "--out", "/proc/x/y"], tmp_path))
    assert "cannot create output folder" in line


def test_nul_in_title_on_sqlite_is_stored_and_shown_escaped(tmp_path: Path) -> None:
    sub = _sub(tmp_path, title="Title with a NUL \x00 inside")
    r = run_here(["assess", str(sub), "--out", str(tmp_path / "o")], tmp_path)
    assert r.code == 0, r.stderr
    assert "\x00" not in r.stdout and "\\x00" in r.stdout
    listed = run_here(["list"], tmp_path)
    assert listed.code == 0 and "\x00" not in listed.stdout
    shown = run_here(["show", str(tmp_path / "o")], tmp_path)
    assert shown.code == 0 and "\x00" not in shown.stdout and "\\x00" in shown.stdout


@pytest.mark.postgres
def test_nul_in_title_on_postgresql_is_one_line_and_stores_nothing(tmp_path: Path, pg_url: str) -> None:
    env = {"JAILSCALE_DATABASE_URL": pg_url}
    assert run_here(["demo", "--out", str(tmp_path / "d")], tmp_path, env=env).code == 0
    sub = _sub(tmp_path, title="Title with a NUL \x00 inside", id="nul-title")
    r = run_here(["assess", str(sub), "--out", str(tmp_path / "o")], tmp_path, env=env)
    line = one_error_line(r, 2)
    assert "NUL" in line and "nothing was stored" in line
    for leak in ("INSERT", "SELECT", "[SQL", "parameters", "Title with"):
        assert leak not in line, line
    assert not (tmp_path / "o").exists()
    listed = run_here(["list", "--json"], tmp_path, env=env)
    assert len(json.loads(listed.stdout)) == 1  # the demo only: unchanged


@pytest.mark.postgres
def test_unreachable_database_is_exit_3_without_password(tmp_path: Path) -> None:
    env = {"JAILSCALE_DATABASE_URL": "postgresql+psycopg://alice:s3cret@127.0.0.1:1/db"}
    line = one_error_line(run_here(["list"], tmp_path, env=env), 3)
    assert "s3cret" not in line and "***" in line


def test_deep_json_assessment_and_recursion_in_show(tmp_path: Path) -> None:
    p = tmp_path / "deep.json"
    p.write_text('{"a":' * 50_000 + "1" + "}" * 50_000, encoding="utf-8")
    line = one_error_line(run_here(["compare", str(p), str(p)], tmp_path))
    assert "nested" in line


#: Text a submission brings, in each place the store keeps it: columns beside the records (title,
#: technique, target model) and the JSON bodies (declared justifications, responses, prompts).
NUL_IN_COLUMNS = ("title", "technique.name", "target.model")
NUL_IN_BODIES = ("declared.EM.justification", "evidence.0.response", "evidence.0.prompt.0.content")
NUL_FIELDS = NUL_IN_COLUMNS + NUL_IN_BODIES


def _with_nul(tmp: Path, field: str) -> Path:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    *parents, last = field.split(".")
    node = data
    for k in parents:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[last] = f"{node[last]} with a NUL \x00 inside"
    data["id"] = "nul-" + field.replace(".", "-")
    p = tmp / f"nul-{field}.json"
    p.write_text(json.dumps(data, default=str), encoding="utf-8")
    return p


def _all_rows(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in
                    ("assessments", "submissions", "transcripts", "submission_evidence", "verdicts", "suites")}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_nul_in_any_field_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """PostgreSQL text columns cannot hold a NUL: one line, exit 2, not one row stored. Its JSON bodies
    keep the escaped form (``\\u0000``): stored, and read back exactly."""
    from jailscale.formats import Submission
    from jailscale.formats.io import read_model
    from jailscale.store import Store

    env = {"JAILSCALE_DATABASE_URL": pg_url}
    assert run_here(["demo", "--out", str(tmp_path / "d")], tmp_path, env=env).code == 0
    for field in NUL_IN_COLUMNS:
        before = _all_rows(pg_url)
        r = run_here(["assess", str(_with_nul(tmp_path, field)), "--out", str(tmp_path / "o")], tmp_path, env=env)
        line = one_error_line(r, 2)
        assert "nothing was stored" in line and "NUL" in line, (field, line)
        for leak in ("INSERT", "SELECT", "[SQL", "parameters", "with a NUL"):
            assert leak not in line, (field, line)
        assert not (tmp_path / "o").exists(), field
        assert _all_rows(pg_url) == before, field  # not one row of it
    for field in NUL_IN_BODIES:
        path = _with_nul(tmp_path, field)
        r = run_here(["assess", str(path), "--out", str(tmp_path / field)], tmp_path, env=env)
        assert r.code == 0 and "\x00" not in r.stdout, (field, r.stderr)
        aid = json.loads((tmp_path / field / "assessment.json").read_text())["id"][7:19]
        shown = run_here(["show", aid], tmp_path, env=env)
        assert shown.code == 0 and "\x00" not in shown.stdout, field
        sent = read_model(Submission, path)
        with Store.open(pg_url) as store:
            back = store.get_submission(sent.id)
        assert back.model_dump() == sent.model_dump(), field  # the NUL included


def test_nul_in_any_field_on_sqlite_is_stored_and_never_printed_raw(tmp_path: Path) -> None:
    for i, field in enumerate(NUL_FIELDS, start=1):
        r = run_here(["assess", str(_with_nul(tmp_path, field)), "--out", str(tmp_path / f"o{i}")], tmp_path)
        assert r.code == 0, (field, r.stderr)
        assert "\x00" not in r.stdout
        aid = json.loads((tmp_path / f"o{i}" / "assessment.json").read_text())["id"][7:19]
        for args in (["show", aid], ["list"], ["show", aid, "--json"]):
            shown = run_here(args, tmp_path)
            assert shown.code == 0 and "\x00" not in shown.stdout, (field, args)
        assert _rows(tmp_path / "home") == i
        for name in ("report.md", "report.html"):
            assert "\x00" not in (tmp_path / f"o{i}" / name).read_text(encoding="utf-8"), (field, name)
