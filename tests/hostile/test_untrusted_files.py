"""Hostile files: devices, FIFOs, sockets, oversized files, alias bombs, deep nesting, duplicate keys,
paths that escape a submission's folder. Each case: one clear line, exit 2, bounded memory (peak
under 200 MB for the bombs), no hang, and an unchanged store."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml
from hostile_cli import one_error_line, run_cli, run_here

from jailscale.runner.demo import demo_path

BOMB_PEAK_MB = 200


def _alias_bomb(levels: int = 9, fan: int = 9) -> str:
    """A 'billion laughs' YAML document: ``fan ** levels`` leaves from a few hundred bytes."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(["x"] * fan) + "]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * fan) + "]")
    return "\n".join(lines) + "\n"


def _store_rows(tmp: Path) -> dict[str, int] | None:
    db = tmp / "home" / "jailscale.sqlite3"
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("demo-home")
    r = run_here(["demo", "--out", str(tmp / "demo")], tmp)
    assert r.code == 0, r.stderr
    return tmp / "home"


@pytest.fixture
def stored(tmp_path: Path, demo_home: Path) -> dict[str, int] | None:
    """A store with the demo in it, so 'unchanged' means something; returns its row counts."""
    shutil.copytree(demo_home, tmp_path / "home")
    return _store_rows(tmp_path)


def _demo_submission(tmp: Path, **changes: object) -> Path:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    data.update(changes)
    p = tmp / "sub" / "submission.yaml"
    p.parent.mkdir(exist_ok=True)
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


# --- devices, FIFOs, sockets, stdin -----------------------------------------------------------------
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_device_as_suite_is_refused_fast(tmp_path: Path, device: str, stored: dict[str, int]) -> None:
    sub = _demo_submission(tmp_path)
    r = run_cli(["assess", str(sub), "--suite", device, "--out", str(tmp_path / "o")], tmp_path, timeout=30)
    line = one_error_line(r)
    assert "character device" in line and "not a regular file" in line
    assert r.peak_mb < BOMB_PEAK_MB and _store_rows(tmp_path) == stored
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("verb", [["assess"], ["policy", "check"], ["show"], ["import", "jailbreakbench"]])
def test_dev_stdin_does_not_hang(tmp_path: Path, verb: list[str], stored: dict[str, int]) -> None:
    # stdin is a pipe that is never written to or closed: reading it would hang
    reader, writer = os.pipe()
    try:
        r = run_cli([*verb, "/dev/stdin"], tmp_path, stdin=reader, timeout=30)
    finally:
        os.close(reader)
        os.close(writer)
    line = one_error_line(r)
    assert "not a regular file" in line
    assert r.peak_mb < BOMB_PEAK_MB and _store_rows(tmp_path) == stored


def test_fifo_and_socket_are_refused(tmp_path: Path, stored: dict[str, int]) -> None:
    fifo = tmp_path / "sub.yaml"
    os.mkfifo(fifo)
    r = run_cli(["assess", str(fifo)], tmp_path, timeout=30)
    line = one_error_line(r)
    assert "FIFO" in line
    assert r.peak_mb < BOMB_PEAK_MB and _store_rows(tmp_path) == stored
    sock_path = tmp_path / "policy.yaml"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock_path))
    try:
        r = run_cli(["policy", "check", str(sock_path)], tmp_path, timeout=30)
    finally:
        s.close()
    line = one_error_line(r)
    assert "not a regular file" in line
    assert r.peak_mb < BOMB_PEAK_MB and _store_rows(tmp_path) == stored


def test_submission_suite_field_cannot_read_outside_its_folder(tmp_path: Path, stored: dict[str, int]) -> None:
    for target in ("/etc/passwd", "../../etc/passwd", "jbb:/etc/passwd", "/dev/zero"):
        sub = _demo_submission(tmp_path, suite=target)
        line = one_error_line(run_here(["assess", str(sub), "--out", str(tmp_path / "o")], tmp_path))
        assert "outside the file's folder" in line, line
        assert "root:" not in line
    assert _store_rows(tmp_path) == stored


def test_submission_suite_symlink_out_of_folder_is_refused(tmp_path: Path) -> None:
    sub = _demo_submission(tmp_path, suite="suite.yaml")
    (sub.parent / "suite.yaml").symlink_to("/etc/passwd")
    line = one_error_line(run_here(["assess", str(sub), "--no-store"], tmp_path))
    assert "outside the file's folder" in line and "root:" not in line


def test_submission_suite_inside_its_folder_is_read(tmp_path: Path) -> None:
    from jailscale.suites import practice_path

    sub = _demo_submission(tmp_path, suite="suite.yaml")
    (sub.parent / "suite.yaml").write_text(practice_path().read_text(encoding="utf-8"), encoding="utf-8")
    r = run_here(["assess", str(sub), "--no-store", "--out", str(tmp_path / "o")], tmp_path)
    assert r.code == 0, r.stderr


def test_command_line_path_may_point_anywhere(tmp_path: Path) -> None:
    """Only paths inside files are confined: a suite named on the command line is the user's choice."""
    from jailscale.suites import practice_path

    sub = _demo_submission(tmp_path)
    r = run_here(["assess", str(sub), "--no-store", "--suite", str(practice_path()), "--out", str(tmp_path / "o")],
                tmp_path)
    assert r.code == 0, r.stderr


# --- size caps --------------------------------------------------------------------------------------
def test_size_cap_message_and_flag(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"x": "a" * 1_500_000}), encoding="utf-8")
    for args, env in ((["show", str(big)], {"JAILSCALE_MAX_INPUT_MB": "1"}),
                      (["--max-input-mb", "1", "show", str(big)], {})):
        line = one_error_line(run_here(args, tmp_path, env=env))
        assert "over the 1.0 MB limit" in line and "--max-input-mb" in line
    # raised: the file is read, and fails for what it is (not an assessment), not for its size
    line = one_error_line(run_here(["--max-input-mb", "5", "show", str(big)], tmp_path))
    assert "not a valid Assessment" in line


# --- YAML alias bombs, deep nesting, duplicate keys -------------------------------------------------
@pytest.mark.parametrize("verb", [["policy", "check"], ["import", "jailbreakbench"], ["assess"],
                                  ["show"], ["assess", "SUB", "--suite"], ["assess", "SUB", "--policy"]])
def test_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path, verb: list[str],
                                                 stored: dict[str, int]) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 600
    sub = _demo_submission(tmp_path)
    args = [str(sub) if a == "SUB" else a for a in verb] + [str(bomb)]
    r = run_cli(args, tmp_path, timeout=60)
    line = one_error_line(r)
    assert "aliases" in line
    assert r.peak_mb < BOMB_PEAK_MB, r.peak_mb
    assert r.seconds < 20
    assert _store_rows(tmp_path) == stored


def test_many_small_aliases_are_refused(tmp_path: Path) -> None:
    doc = "a: &a x\nb: &b [1]\nc: [" + ", ".join(["*b"] * 20_000) + "]\n"
    p = tmp_path / "aliases.yaml"
    p.write_text(doc, encoding="utf-8")
    line = one_error_line(run_here(["policy", "check", str(p)], tmp_path))
    assert "aliases more than" in line


@pytest.mark.parametrize(("name", "text"), [
    ("deep.json", "[" * 200_000 + "]" * 200_000),
    ("deep2.json", '{"a":' * 100_000 + "1" + "}" * 100_000),
    ("deep.yaml", "[" * 200_000 + "]" * 200_000),
    ("deep2.yaml", "".join(" " * i + "- \n" for i in range(0, 400))),
    ("mid.json", "[" * 500 + "]" * 500),
])
def test_deep_nesting_is_one_line(tmp_path: Path, name: str, text: str, stored: dict[str, int]) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    verbs = (["show"], ["assess"], ["policy", "check"])
    for verb in (verbs[len(text) % 3], verbs[(len(text) + 1) % 3]):
        r = run_cli([*verb, str(p)], tmp_path)
        line = one_error_line(r)
        assert "Traceback" not in r.stderr and "RecursionError" not in r.stderr
        assert "nest" in line or "deep" in line, line
        assert r.peak_mb < BOMB_PEAK_MB
        assert _store_rows(tmp_path) == stored


@pytest.mark.parametrize(("name", "text"), [
    ("dup.json", '{"format": "jailscale.submission/1", "id": "a", "id": "b"}'),
    ("dup.yaml", "format: jailscale.submission/1\nid: a\ntitle: t\nid: b\n"),
])
def test_duplicate_keys_are_refused(tmp_path: Path, name: str, text: str) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    line = one_error_line(run_here(["assess", str(p)], tmp_path))
    assert "repeats the key 'id'" in line


def test_big_structure_in_an_error_is_not_printed(tmp_path: Path) -> None:
    """A policy whose bad value is a large structure: the message names its type, not its text."""
    p = tmp_path / "policy.yaml"
    p.write_text(yaml.safe_dump({"name": "x", "rules": [{"when": {"HD": ["C"] * 50_000}, "action": "Monitor"}]}),
                 encoding="utf-8")
    r = run_here(["policy", "check", str(p)], tmp_path)
    line = one_error_line(r)
    assert len(line) < 2100


def test_untrusted_file_name_is_escaped(tmp_path: Path) -> None:
    name = tmp_path / "evil\x1b]0;owned\x07.yaml"
    name.write_text("::: not yaml :::\n  - [", encoding="utf-8")
    line = one_error_line(run_here(["policy", "check", str(name)], tmp_path))
    assert "\\x1b" in line


def test_read_layer_never_hangs_on_fifo_in_process(tmp_path: Path) -> None:
    """The same check in-process: opening a FIFO with no writer returns at once."""
    from jailscale.errors import UserError
    from jailscale.formats.io import read_bytes

    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="FIFO"):
        read_bytes(fifo)
    assert subprocess.run(["true"]).returncode == 0
