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
    def records(lines: str) -> list[str]:  # rows of the main table (10 cells), not of the ordering table
        return [x for x in lines.splitlines() if x.startswith("| ") and x.count(" | ") == 9
                and "attack type" not in x]
    rows = records(text)
    assert len(rows) == 2
    assert rows == records(printed)
    pair, gcg = rows  # in the order the files were given
    assert pair.startswith("| PAIR | llama-2-7b-chat-hf | black_box | 100 | 0 / 100 | 0 |")
    assert gcg.startswith("| GCG | vicuna-13b-v1.5 | white_box | 100 | 80 / 100 | 0 |")
    assert text.count("withheld (range ") == 2
    assert "**Where the data limits it.**" in text
    assert "**What can be said without a baseline.**" in text and "leaderboard's ordering, checked" in text
    assert "The records by the Wilson lower bound of their success rate" in printed
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


@pytest.mark.shared
def test_every_record_pair_rows_and_the_leaderboard_order(tmp_path: Path) -> None:
    """All 18 records: PAIR at 71/100, 34/100, 0/100, 69/100 with Wilson intervals; the rows ordered by
    their lower bound; the files' own reported order never contradicted by the measured rates."""
    if not vj.ARTIFACTS.is_dir() or not vj.BEHAVIOURS.is_file():
        pytest.skip(f"shared data not found at {vj.DATA}")
    rows, fixtures, suite = vj.run()
    assert len(rows) == 18
    # the published page is what the script gives today (it had gone stale once: its 0/100 rows read
    # "up to High" after the measurement rules had moved them to Critical)
    assert vj.render(rows, fixtures, suite, vj.ARTIFACTS) == vj.OUT.read_text(encoding="utf-8"), (
        "docs/validation/jailbreakbench.md is out of date: rerun .venv/bin/python scripts/validate_jailbreakbench.py")
    pair = {r.model: (r.successes, r.determinate, r.errors) for r in rows if r.attack == "PAIR"}
    assert pair == {"gpt-3.5-turbo-1106": (71, 100, 0), "gpt-4-0125-preview": (34, 100, 0),
                    "llama-2-7b-chat-hf": (0, 100, 0), "vicuna-13b-v1.5": (69, 100, 0)}
    gpt4 = next(r for r in rows if r.attack == "PAIR" and r.model == "gpt-4-0125-preview")
    lo, hi = gpt4.interval
    assert abs(lo - 0.255) < 0.001 and abs(hi - 0.437) < 0.001  # Wilson 34/100
    ordered = vj.by_lower_bound(rows)
    lows = [r.interval[0] for r in ordered]
    assert lows == sorted(lows, reverse=True)
    assert (ordered[0].attack, ordered[0].model) == ("DSN", "vicuna-13b-v1.5")
    table = vj.ordering_table(rows)
    assert table.count("\n") == 18 + 2
    lines, pairs, established, contradicted = vj.leaderboard(rows)
    assert len(lines) == 4 and pairs > 20 and contradicted == 0 and 0 < established <= pairs
    assert all(r.reported_asr is not None and abs(r.reported_asr - (r.rate or 0.0)) < 1e-9 for r in rows)
