"""Hostile JSON Lines submissions: every line is untrusted. A bad line anywhere (even after thousands of
good ones) stops the run with one line naming the file and the line number, exit 2, nothing stored and
nothing written; lines and files are size-capped (``--max-input-mb`` raises both), nesting bounded,
duplicate keys refused, values escaped."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hostile_cli import one_error_line, run_cli, run_here

from jailscale.formats.lines import LINES_FORMAT
from jailscale.runner.demo import demo_inputs
from jailscale.store.models import TABLES


def _lines(tmp: Path, *, extra: list[str] | None = None, at: int | None = None, header: object = None,
           name: str = "s.jsonl", copies: int = 1) -> Path:
    """The demo as JSON Lines (``copies`` times over, as further samples), with ``extra`` raw lines
    inserted before evidence line ``at`` (default: at the end)."""
    sub, _ = demo_inputs()
    head = sub.model_dump(mode="json", exclude={"evidence"})
    head.update(format=LINES_FORMAT, suite="practice")
    rows = []
    for c in range(copies):
        for t in sub.evidence:
            rows.append(json.dumps({**t.model_dump(mode="json", exclude_defaults=True),
                                    "sample": t.sample + 1000 * c}))
    if extra:
        pos = len(rows) if at is None else at
        rows[pos:pos] = extra
    p = tmp / name
    first = json.dumps(head) if header is None else header if isinstance(header, str) else json.dumps(header)
    p.write_text(first + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _rows(tmp: Path) -> dict[str, int] | None:
    db = tmp / "home" / "jailscale.sqlite3"
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def _assess(tmp: Path, path: Path, *extra: str) -> str:
    before = _stored(tmp)
    r = run_here([*extra, "assess", str(path), "--out", str(tmp / "o")], tmp)
    line = one_error_line(r)
    assert _stored(tmp) == before, "something was stored"
    assert not (tmp / "o").exists()
    return line


def _stored(tmp: Path) -> int:
    rows = _rows(tmp)
    return 0 if rows is None else sum(v for k, v in rows.items() if k in TABLES)


@pytest.fixture(autouse=True)
def _no_cap_left_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--max-input-mb`` sets ``$JAILSCALE_MAX_INPUT_MB`` in the process (``run_here`` runs in this one):
    start without it and remove it afterwards."""
    monkeypatch.setenv("JAILSCALE_MAX_INPUT_MB", "1")
    monkeypatch.delenv("JAILSCALE_MAX_INPUT_MB")


GOOD = {"behaviour": "practice-01", "condition": "jailbreak", "sample": 99999, "response": "PLACEHOLDER"}


def test_the_demo_as_lines_is_assessed(tmp_path: Path) -> None:
    r = run_here(["assess", str(_lines(tmp_path)), "--out", str(tmp_path / "o")], tmp_path)
    assert r.code == 0, r.stderr
    assert _stored(tmp_path) > 0


@pytest.mark.parametrize(("raw", "words"), [
    ('{"behaviour": "practice-01", "condition": ', "is not valid JSON"),
    ("[1, 2, 3]", "is a JSON list, not an object"),
    ("null", "is a JSON null, not an object"),
    ('{"behaviour": "practice-01", "behaviour": "practice-02", "condition": "jailbreak"}',
     "repeats the key 'behaviour'"),
    ('{"behaviour": "practice-01", "condition": "jailbreak", "prompt": ' + "[" * 200 + "]" * 200 + "}",
     "nested more than 64 levels"),
    ('{"behaviour": "practice-01", "condition": "attack"}', "not a valid transcript"),
    ('{"behaviour": "practice-01", "condition": "jailbreak", "colour": "red"}', "not a valid transcript"),
    ('{"behaviour": "no-such-behaviour", "condition": "jailbreak"}', "not in suite 'jailscale-practice'"),
    ('{"behaviour": "practice-01", "condition": "reference", "reference": "nobody"}',
     "not among the header's references"),
])
def test_a_bad_line_after_good_ones_names_its_line_and_stores_nothing(tmp_path: Path, raw: str,
                                                                     words: str) -> None:
    p = _lines(tmp_path, extra=[json.dumps(GOOD), raw], copies=3)
    number = len(p.read_text(encoding="utf-8").splitlines()) - 0  # the bad line is the last one
    line = _assess(tmp_path, p)
    assert f"line {number}" in line and words in line, line
    assert _stored(tmp_path) == 0


def test_a_repeated_attempt_names_its_line(tmp_path: Path) -> None:
    p = _lines(tmp_path, extra=[json.dumps(GOOD), json.dumps(GOOD)])
    n = len(p.read_text(encoding="utf-8").splitlines())
    line = _assess(tmp_path, p)
    assert f"line {n} repeats behaviour 'practice-01', condition 'jailbreak', sample 99999" in line, line


def test_not_utf8_names_its_line(tmp_path: Path) -> None:
    p = _lines(tmp_path, extra=[json.dumps(GOOD)], at=5)
    data = p.read_bytes().splitlines(keepends=True)
    data[6] = data[6].replace(b"PLACEHOLDER", b"PLACE\xffHOLDER")
    p.write_bytes(b"".join(data))
    line = _assess(tmp_path, p)
    assert "line 7 is not UTF-8" in line and "0xff" in line, line


@pytest.mark.parametrize(("header", "words"), [
    ({"format": "jailscale.submission/1", "id": "x"}, "a JSON submission: give it a .json name"),
    (GOOD, "looks like a transcript"),
    ("not json at all", "line 1 is not valid JSON"),
])
def test_a_bad_header_is_one_line(tmp_path: Path, header: object, words: str) -> None:
    line = _assess(tmp_path, _lines(tmp_path, header=header))
    assert words in line and "line 1" in line, line


def test_header_with_evidence_is_refused(tmp_path: Path) -> None:
    sub, _ = demo_inputs()
    head = sub.model_dump(mode="json")
    head["format"] = LINES_FORMAT
    line = _assess(tmp_path, _lines(tmp_path, header=head))
    assert "the header holds no 'evidence'" in line, line


def test_empty_file_is_one_line(tmp_path: Path) -> None:
    p = tmp_path / "empty.jsonl"
    p.write_text("\n\n", encoding="utf-8")
    assert "holds no lines" in _assess(tmp_path, p)


def test_line_cap_and_the_flag_that_raises_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jailscale.formats.lines.DEFAULT_LINE_MAX_MB", 0.01)  # 10,000 bytes
    long = json.dumps({**GOOD, "response": "PLACEHOLDER " * 2000})  # about 24,000 bytes
    p = _lines(tmp_path, extra=[long], at=3)
    line = _assess(tmp_path, p)
    assert "line 5 is longer than 10,000 bytes" in line and "--max-input-mb" in line, line
    r = run_here(["--max-input-mb", "1", "assess", str(p), "--out", str(tmp_path / "o")], tmp_path)
    assert r.code == 0, r.stderr


def test_file_cap_counts_what_is_read(tmp_path: Path) -> None:
    p = _lines(tmp_path, copies=2)
    size_mb = p.stat().st_size / 1e6
    line = _assess(tmp_path, p, "--max-input-mb", f"{size_mb / 2:.6f}")
    assert "over the" in line and "limit for input files" in line, line


def test_hostile_values_are_escaped(tmp_path: Path) -> None:
    evil = "practice-\x1b[31mred\u202eevil"
    p = _lines(tmp_path, extra=[json.dumps({**GOOD, "behaviour": evil})])
    line = _assess(tmp_path, p)
    assert "\x1b" not in line and "\u202e" not in line and "\\x1b" in line, line


def test_a_bad_line_deep_in_a_large_file_in_bounded_memory(tmp_path: Path) -> None:
    """40 copies of the demo (about 8,700 transcripts, several chunks judged) and then one bad line:
    refused with its line number, nothing stored, in the memory of a small run."""
    p = _lines(tmp_path, extra=['{"behaviour": "practice-01", "condition": "jailbreak", "sample": -1}'], copies=40)
    n = len(p.read_text(encoding="utf-8").splitlines())
    r = run_cli(["assess", str(p), "--out", str(tmp_path / "o"), "--quiet"], tmp_path, timeout=300)
    line = one_error_line(r)
    assert f"line {n}" in line and "sample" in line, line
    assert _stored(tmp_path) == 0 and not (tmp_path / "o").exists()
    assert r.peak_mb < 200, r.peak_mb
