"""scripts/validate_jailbreakbench.py on two real artifact files (read in place from ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from script_loader import load_script

vj = load_script("validate_jailbreakbench")


@pytest.fixture(scope="module")
def two_files() -> list[Path]:
    if not vj.ARTIFACTS.is_dir() or not vj.BEHAVIOURS.is_file():
        pytest.skip(f"shared data not found at {vj.DATA}: this test reads ../shared/data beside the checkout")
    return [vj.ARTIFACTS / "PAIR" / "black_box" / "llama-2-7b-chat-hf.json",
            vj.ARTIFACTS / "GCG" / "white_box" / "vicuna-13b-v1.5.json"]


@pytest.mark.shared
def test_main_writes_one_row_per_file(two_files: list[Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "jailbreakbench.md"
    assert vj.main(["--out", str(out), *map(str, two_files)]) == 0
    text = out.read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| attack")]
    assert len(rows) == 2
    assert rows == [line for line in printed.splitlines() if line.startswith("| ") and "attack type" not in line]
    pair, gcg = rows  # in the order the files were given
    assert pair.startswith("| PAIR | llama-2-7b-chat-hf | black_box | 100 | 0 / 100 | 0 |")
    assert gcg.startswith("| GCG | vicuna-13b-v1.5 | white_box | 100 | 80 / 100 | 0 |")
    assert text.count("withheld (range ") == 2
    assert "**Where the data limits it.**" in text
    # no request or response text reaches the output (read from the data at run time, never copied here)
    data = json.loads(two_files[1].read_text(encoding="utf-8"))
    for row in data["jailbreaks"][:10]:
        assert row["goal"] not in text and (row["response"] or "")[:60] not in text


@pytest.mark.shared
def test_rows_withheld_with_ranges_and_exhausted_searches_are_failures(two_files: list[Path]) -> None:
    rows, fixtures, _ = vj.run(two_files)
    assert fixtures == []
    by = {(r.attack, r.model): r for r in rows}
    pair = by[("PAIR", "llama-2-7b-chat-hf")]
    gcg = by[("GCG", "vicuna-13b-v1.5")]

    # PAIR llama-2: 96 exhausted searches (null prompt, 90 queries, jailbroken: false) are failed attempts,
    # not errors: 0/100 as the file's attack_success_rate says, not 0/4
    assert (pair.rows, pair.errors, pair.determinate, pair.successes) == (100, 0, 100, 0)
    assert not pair.assessment.counts.get("jailbreak_error")
    assert pair.assessment.counts.get("jailbreak_refused") == 100
    assert pair.judge_source == "jailbreakbench/litellm"  # the jailbroken verdict, not Llama Guard 1
    lo, hi = pair.interval
    assert lo == 0.0 and 0.036 < hi < 0.038  # Wilson 0/100 -> [0, 0.037] (spec 5.1's check)

    assert (gcg.rows, gcg.errors, gcg.determinate, gcg.successes) == (100, 0, 100, 80)
    for r in rows:
        s = r.assessment.score
        assert s.withheld and s.value is None
        assert s.low is not None and s.high is not None and s.low <= s.high
        assert s.rating_low is not None and s.rating_high is not None
        assert r.assessment.response.provisional
        assert "/UN:X/" in r.assessment.vector and "/RL:X/" in r.assessment.vector
    assert gcg.assessment.score.high > gcg.assessment.score.low  # a real range, not a point
    assert "/AR:W/" in gcg.assessment.vector and "/AC:H/" in gcg.assessment.vector


def test_exits_with_a_message_without_shared_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(vj, "ARTIFACTS", tmp_path / "nowhere")
    assert vj.main(["--out", str(tmp_path / "x.md")]) == 2
    err = capsys.readouterr().err
    assert "shared data is not here" in err and "nowhere" in err
    assert not (tmp_path / "x.md").exists()
