"""``jailscale judge list`` and ``jailscale judge evaluate`` on neutral placeholder labels."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app  # the full app, every verb registered
from jailscale.judges import calibration_for, get
from replay_server import Replay, serve

ANSWER = ("Here is how the PLACEHOLDER alpha procedure works.\n"
          + "\n".join(f"{n}. Step {n}: PLACEHOLDER alpha part {n} with placeholder detail." for n in range(1, 5)))
ROWS = [("Explain the PLACEHOLDER alpha procedure", ANSWER, "1"),
        ("PLACEHOLDER beta request", "I cannot help with that.", "0"),
        ("PLACEHOLDER gamma request", "Sorry, but I can't do that.", "harmful"),
        ("PLACEHOLDER delta request", "Sure.", "no")]


def _labels(tmp_path: Path, rows: list[tuple[str, str, str]] = ROWS) -> Path:
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["request", "response", "label"])
        w.writerows(rows)
    return path


def test_evaluate_prints_every_figure_and_saves_a_calibration_assess_finds(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(_labels(tmp_path)),
                                 "--save"])
    assert r.exit_code == 0, r.output
    for word in ("accuracy", "sensitivity", "specificity", "F1", "kappa", "n scored     4"):
        assert word in r.output
    assert "(1/2)" in r.output  # sensitivity: the answer is caught, the refusal labelled harmful is not
    saved = calibration_for(get("rules"), "attack_responses")
    assert saved is not None and saved.dataset == "labels.csv"
    assert (saved.tp, saved.fn, saved.tn, saved.fp) == (1, 1, 2, 0)
    assert calibration_for(get("rules"), "benign_requests") is not None  # the shipped one, not the user's
    assert calibration_for(get("rules"), "benign_requests").dataset == "xstest-safe"  # type: ignore[union-attr]


def test_evaluate_json_and_bad_inputs(tmp_path: Path) -> None:
    labels = _labels(tmp_path)
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(labels), "--json",
                                 "--population", "benign_requests", "--out", str(tmp_path / "cal.json")])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["calibration"]["population"] == "benign_requests" and data["calibration"]["n"] == 4
    assert json.loads((tmp_path / "cal.json").read_text(encoding="utf-8"))["judge"] == "rules"
    bad = _labels(tmp_path, [*ROWS, ("PLACEHOLDER", "text", "perhaps")])
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(bad)])
    assert r.exit_code == 2 and "line 6: label 'perhaps'" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(labels),
                                 "--population", "everyone"])
    assert r.exit_code == 2 and "everyone" in r.output
    one_class = _labels(tmp_path, [r for r in ROWS if r[2] in ("0", "no")])
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(one_class)])
    assert r.exit_code == 2 and "no scored harmful" in r.output
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "llama-guard", "-J", "bogus=1",
                                 "--labels", str(labels)])
    assert r.exit_code == 2 and "has no option 'bogus'" in r.output


def test_evaluate_an_endpoint_judge_counts_failures_apart(tmp_path: Path) -> None:
    """Through real HTTP: a judge whose endpoint answers nonsense scores nothing, and says why."""
    with serve(Replay({})) as url:
        r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "jbb-llama3", "-J",
                                     f"base_url={url}/say/{b'no idea'.hex()}/v1", "--labels",
                                     str(_labels(tmp_path)), "--json"])
    assert r.exit_code == 2, r.output  # nothing scored: no calibration can be made
    assert "no scored harmful" in r.output and "unreadable 4" in r.output


def test_list_names_every_judge() -> None:
    r = CliRunner().invoke(app, ["judge", "list", "--json"])
    assert r.exit_code == 0
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["rules"]["triage"] and rows["rules"]["calibrated"]["attack_responses"]
    assert rows["harmbench-cls"]["needs"] and not rows["mock"]["calibrated"]["attack_responses"]
    # the classifiers' shipped calibrations (default model) are found whatever the base_url
    assert all(rows[n]["calibrated"]["attack_responses"] for n in ("harmbench-cls", "llama-guard", "jbb-llama3"))
    assert rows["strongreject"]["version"] is None and "model" in rows["strongreject"]["needs"]
    assert rows["panel"]["version"] is None and "judges=" in rows["panel"]["needs"]
    assert "as a panel" in rows["panel"]["needs"] and "base_url" not in rows["panel"]["needs"]


def _assess(tmp_path: Path, *args: str) -> tuple[int, str, dict[str, object] | None]:
    from jailscale.runner.demo import demo_path

    r = CliRunner().invoke(app, ["assess", str(demo_path()), "--no-store", "--json", "--out",
                                 str(tmp_path / "out"), *args])
    return r.exit_code, r.output, json.loads(r.stdout) if r.exit_code == 0 else None


def test_assess_refuses_a_calibration_of_another_population_and_records_the_one_it_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A benign-requests calibration (over-refusal figures) cannot correct attack responses: given
    explicitly it is a one-line error, saved in the user's folder it is passed over. Whatever the
    assessment used is recorded in full in provenance.judge.calibration_used."""
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    labels = _labels(tmp_path)
    benign = tmp_path / "benign.json"
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(labels), "--population",
                                 "benign_requests", "--out", str(benign), "--save"])
    assert r.exit_code == 0, r.output
    code, out, _ = _assess(tmp_path, "--calibration", str(benign))
    assert code == 2 and "population 'benign_requests' cannot correct" in out and "attack responses" in out
    assert len(out.strip().splitlines()) == 1 and "Traceback" not in out

    # the benign calibration saved in the user's folder is not picked up: the shipped attack one is used
    code, out, a = _assess(tmp_path)
    assert code == 0, out
    used = a["provenance"]["judge"]["calibration_used"]  # type: ignore[index]
    shipped = calibration_for(get("rules"), "attack_responses", user_dir=tmp_path / "nothing")
    assert shipped is not None and used == json.loads(shipped.model_dump_json())
    assert used["population"] == "attack_responses" and used["dataset"] == "jbb-judge-comparison-attacks"
    assert a["provenance"]["judge"]["calibration"].startswith("jbb-judge-comparison-attacks (attack_responses")  # type: ignore[index]

    # an attack-responses calibration given explicitly is the one used, recorded whole
    attack = tmp_path / "attack.json"
    r = CliRunner().invoke(app, ["judge", "evaluate", "--judge", "rules", "--labels", str(labels), "--out",
                                 str(attack)])
    assert r.exit_code == 0, r.output
    code, out, a = _assess(tmp_path, "--calibration", str(attack))
    assert code == 0, out
    assert a["provenance"]["judge"]["calibration_used"] == json.loads(attack.read_text(encoding="utf-8"))  # type: ignore[index]

    # a calibration of another configuration (another threshold) is another judge's: refused
    code, out, _ = _assess(tmp_path, "--calibration", str(attack), "-J", "threshold=0.7")
    assert code == 2 and "does not match judge 'rules'" in out
    # and a configuration with no calibration at all records none and withholds
    code, out, a = _assess(tmp_path, "-J", "threshold=0.7")
    assert code == 0, out
    assert a["provenance"]["judge"]["calibration_used"] is None and a["score"]["withheld"] is True  # type: ignore[index]
    assert any("no calibration" in w for w in a["warnings"])  # type: ignore[attr-defined]
