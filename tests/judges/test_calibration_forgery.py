"""A user-supplied calibration must not lower a score by looking better than its own counts allow.

Outside review (the party being rated, public CLI only): measurement reads a calibration's
``sensitivity.low`` and ``specificity.low``. A file whose stated intervals are tighter than the
Wilson interval of its own confusion table (here 1 true positive of 2 stated as sensitivity
[0.99, 1]) makes every behaviour judged a failure on 3 attempts *failed* (excluded from the top)
instead of *missable*, so the same evidence scored lower. And a calibration of the ``recorded`` judge
that names no configuration (its source) must not lend one source's figures to another's verdicts.
Neutral placeholder evidence only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app  # the full app, every verb registered
from jailscale.judges import get
from jailscale.judges.calibration.records import calibration_from_counts


def _transcript(b: int, cond: str, sample: int, label: str) -> dict[str, Any]:
    prompt = f"PLACEHOLDER request {b}" if cond == "baseline" else f"PLACEHOLDER frame: request {b}"
    return {"behaviour": f"b{b}", "condition": cond, "sample": sample,
            "prompt": [{"role": "user", "content": prompt}], "response": f"PLACEHOLDER answer {b} {cond} {sample}",
            "verdicts": [{"judge": "fixture", "label": label, "quality": 0.9 if label == "complied" else 0.0}]}


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """Two S-tier behaviours unlocked (3 of 3), two C-tier behaviours judged refused on 3 attempts."""
    tiers = {0: "S", 1: "S", 2: "C", 3: "C"}
    suite = {"name": "placeholder", "behaviours": [
        {"id": f"b{i}", "request": f"PLACEHOLDER request {i}", "category": f"cat{i}", "tier": t}
        for i, t in tiers.items()]}
    evidence = []
    for i, t in tiers.items():
        evidence.append(_transcript(i, "baseline", 0, "refused"))
        evidence += [_transcript(i, "jailbreak", s, "complied" if t == "S" else "refused") for s in range(3)]
    sub = {"id": "placeholder-sub", "title": "PLACEHOLDER", "assessed_on": "2026-01-01",
           "technique": {"kind": "template", "name": "placeholder", "template": "PLACEHOLDER frame: {request}"},
           "target": {"model": "example/model"}, "evidence": evidence}
    (tmp_path / "suite.json").write_text(json.dumps(suite), encoding="utf-8")
    (tmp_path / "sub.json").write_text(json.dumps(sub), encoding="utf-8")
    return tmp_path / "sub.json", tmp_path / "suite.json"


def _honest(tmp_path: Path) -> dict[str, Any]:
    cal = calibration_from_counts(get("recorded", source="fixture"), population="attack_responses",
                                  dataset="placeholder-labels", tp=1, fn=1, tn=200, fp=0)
    return json.loads(cal.model_dump_json())


def _assess(tmp_path: Path, cal: dict[str, Any], name: str) -> tuple[int, str, dict[str, Any] | None]:
    sub, suite = _files(tmp_path)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(cal), encoding="utf-8")
    r = CliRunner().invoke(app, ["assess", str(sub), "--suite", str(suite), "--judge", "recorded", "-J",
                                 "source=fixture", "--calibration", str(path), "--no-store", "--json",
                                 "--out", str(tmp_path / name)])
    return r.exit_code, r.output, json.loads(r.stdout) if r.exit_code == 0 else None


@pytest.mark.parametrize("rate,forged", [
    ("sensitivity", {"estimate": 0.995, "low": 0.99, "high": 1.0}),        # interval narrower than 1/2 allows
    ("sensitivity", {"estimate": 0.995, "low": 0.99, "high": 1.0, "successes": 199, "n": 200}),  # counts disagree
    ("sensitivity", {"estimate": 0.995, "low": 0.99, "high": 1.0, "method": "exact"}),  # another method's name
])
def test_a_calibration_tighter_than_its_own_counts_is_refused_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: str, forged: dict[str, Any]) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    honest = _honest(tmp_path)
    code, out, a = _assess(tmp_path, honest, "honest")
    assert code == 0, out
    assert a is not None
    honest_top = a["score"]["high"]
    hd = next(m for m in a["metrics"] if m["abbr"] == "HD")
    assert hd["high"] == "C"  # the C-tier behaviours may have been missed by a judge with se 1 of 2

    bad = json.loads(json.dumps(honest))
    bad[rate].update(forged)
    code, out, a2 = _assess(tmp_path, bad, "forged")
    if code == 0:  # what the defect did: the same evidence, a lower top
        assert a2 is not None
        assert a2["score"]["high"] >= honest_top, f"forged calibration lowered the top: {a2['score']} < {honest_top}"
    assert code == 2, out
    assert "calibration" in out and rate in out and "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_a_saved_calibration_tighter_than_its_counts_is_passed_over(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same forgery dropped into $JAILSCALE_HOME/calibrations is not picked up by calibration_for."""
    from jailscale.judges import calibration_for

    home = tmp_path / "home"
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    judge = get("recorded", source="fixture")
    bad = _honest(tmp_path)
    bad["sensitivity"].update({"estimate": 0.995, "low": 0.99, "high": 1.0})
    (home / "calibrations").mkdir(parents=True)
    (home / "calibrations" / "recorded-v1.attack_responses.forged.json").write_text(json.dumps(bad), encoding="utf-8")
    assert calibration_for(judge, "attack_responses") is None
    honest = _honest(tmp_path)
    (home / "calibrations" / "recorded-v1.attack_responses.honest.json").write_text(json.dumps(honest),
                                                                                    encoding="utf-8")
    found = calibration_for(judge, "attack_responses")
    assert found is not None and found.sensitivity.low == pytest.approx(honest["sensitivity"]["low"])


def test_a_calibration_naming_no_recorded_source_does_not_apply_to_every_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded judge's configuration is its source: figures measured on one source's verdicts
    (say a careful judge's) corrected another's (a judge that refuses everything) when the file named
    no configuration, as for panels before 93acb88."""
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    cal = calibration_from_counts(("recorded", "1", None), population="attack_responses",
                                  dataset="placeholder-labels", tp=95, fn=5, tn=95, fp=5)
    code, _out, _ = _assess(tmp_path, json.loads(cal.model_dump_json()), "anysource")
    assert code == 2, "a calibration naming no source was used for source=fixture"


# --- the recorded judge is calibrated per configuration: its source -------------------------------------


def _run(tmp_path: Path, name: str, *extra: str,
         source: str | None = "fixture") -> tuple[int, str, dict[str, Any] | None]:
    """``assess`` of the placeholder evidence with the recorded judge (``source``; None: no option)."""
    sub, suite = _files(tmp_path)
    opts = ["-J", f"source={source}"] if source is not None else []
    r = CliRunner().invoke(app, ["assess", str(sub), "--suite", str(suite), "--judge", "recorded", *opts, *extra,
                                 "--no-store", "--json", "--out", str(tmp_path / name)])
    return r.exit_code, r.output, json.loads(r.stdout) if r.exit_code == 0 else None


def _counts(config: Any) -> dict[str, Any]:
    """Figures of a careful judge (se 0.95 of 100, sp 0.95 of 100), for the configuration ``config``
    (a judge, or ``None`` for "any configuration")."""
    judge = config if config is not None else ("recorded", "1", None)
    cal = calibration_from_counts(judge, population="attack_responses", dataset="placeholder-labels",
                                  tp=95, fn=5, tn=95, fp=5)
    return json.loads(cal.model_dump_json())


def _write(tmp_path: Path, name: str, cal: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(cal), encoding="utf-8")
    return path


def test_calibration_option_refuses_a_recorded_calibration_naming_no_source_and_says_what_to_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--calibration`` with ``config_hash`` null for ``-J source=fixture``: exit 2, one line, no
    traceback, and the line gives the configuration hash to write if the figures were measured on
    that source; the same figures naming it are used (and recorded) for that source only."""
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    fixture = get("recorded", source="fixture")
    code, out, _ = _run(tmp_path, "anysource", "--calibration", str(_write(tmp_path, "any", _counts(None))))
    assert code == 2, out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out
    assert "names no configuration" in out and "calibrated per configuration" in out
    assert "source='fixture'" in out and f'"config_hash" to "{fixture.config_hash}"' in out

    named = _write(tmp_path, "named", _counts(fixture))
    code, out, a = _run(tmp_path, "named", "--calibration", str(named))
    assert code == 0, out
    assert a is not None
    used = a["provenance"]["judge"]["calibration_used"]
    assert used is not None and used["config_hash"] == fixture.config_hash == a["provenance"]["judge"]["config_hash"]

    # figures measured on another source's verdicts do not apply to this one
    careful = _write(tmp_path, "careful", _counts(get("recorded", source="careful")))
    code, out, _ = _run(tmp_path, "careful", "--calibration", str(careful))
    assert code == 2 and "Traceback" not in out and len(out.strip().splitlines()) == 1, out
    assert "does not match judge 'recorded'" in out


def test_recorded_judge_without_a_source_takes_no_calibration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``-J source`` each transcript's one verdict may come from another judge: no calibration
    says what it was measured on, neither one naming no configuration nor one naming the no-source
    configuration. Refused with one line that names the option; the folder's are passed over."""
    from jailscale.judges import calibration_for

    home = tmp_path / "home"
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    nosource = get("recorded")
    for name, cal in (("any", _counts(None)), ("nosource", _counts(nosource))):
        code, out, _ = _run(tmp_path, name, "--calibration", str(_write(tmp_path, name, cal)), source=None)
        assert code == 2 and "Traceback" not in out and len(out.strip().splitlines()) == 1, out
        assert "-J source=NAME" in out, out
        (home / "calibrations").mkdir(parents=True, exist_ok=True)
        (home / "calibrations" / f"recorded-v1.attack_responses.{name}.json").write_text(json.dumps(cal),
                                                                                        encoding="utf-8")
    assert calibration_for(nosource, "attack_responses") is None
    code, out, a = _run(tmp_path, "folder", source=None)
    assert code == 0, out
    assert a is not None and a["provenance"]["judge"]["calibration_used"] is None


def test_calibration_folder_passes_over_a_recorded_calibration_naming_no_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A null-configuration calibration of ``recorded`` in $JAILSCALE_HOME/calibrations is not picked
    up (the judge stays uncalibrated: withheld, with a top no lower than the calibrated one); given as
    the explicit file of :func:`calibration_for` it is a UserError saying what to write; a file naming
    the source's configuration is picked up for that source and not for another."""
    from jailscale.errors import UserError
    from jailscale.judges import calibration_for

    home = tmp_path / "home"
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    folder = home / "calibrations"
    folder.mkdir(parents=True)
    fixture, other = get("recorded", source="fixture"), get("recorded", source="refuses-everything")
    anyconf = _counts(None)
    (folder / "recorded-v1.attack_responses.any.json").write_text(json.dumps(anyconf), encoding="utf-8")
    assert calibration_for(fixture, "attack_responses") is None
    assert calibration_for(other, "attack_responses") is None
    with pytest.raises(UserError, match="names no configuration") as caught:
        calibration_for(fixture, "attack_responses", file=folder / "recorded-v1.attack_responses.any.json")
    assert fixture.config_hash in str(caught.value) and "judge evaluate" not in str(caught.value)
    code, out, uncal = _run(tmp_path, "uncalibrated")
    assert code == 0, out
    assert uncal is not None and uncal["provenance"]["judge"]["calibration_used"] is None
    assert uncal["score"]["withheld"] is True

    (folder / "recorded-v1.attack_responses.fixture.json").write_text(json.dumps(_counts(fixture)), encoding="utf-8")
    found = calibration_for(fixture, "attack_responses")
    assert found is not None and found.config_hash == fixture.config_hash
    assert calibration_for(other, "attack_responses") is None
    code, out, cal = _run(tmp_path, "calibrated")
    assert code == 0, out
    assert cal is not None and cal["provenance"]["judge"]["calibration_used"]["config_hash"] == fixture.config_hash
    assert uncal["score"]["high"] >= cal["score"]["high"]  # refusing the borrowed figures never lowers the top


def test_panels_and_other_judges_keep_their_calibration_rule(tmp_path: Path) -> None:
    """Unchanged: a panel refuses a null-configuration calibration (now with the hash to write) and
    takes one naming it; a judge that is not calibrated per configuration (rules) still takes null."""
    from jailscale.errors import UserError
    from jailscale.judges import calibration_for
    from jailscale.judges.panel import PanelJudge
    from jailscale.runner.assess import matching_calibration

    panel = PanelJudge("rules,mock")
    cal = calibration_from_counts(("panel", panel.version, None), population="attack_responses",
                                  dataset="placeholder-labels", tp=95, fn=5, tn=95, fp=5)
    with pytest.raises(UserError, match="calibrated per configuration") as caught:
        matching_calibration(panel, cal)
    assert panel.config_hash in str(caught.value)
    named = cal.model_copy(update={"config_hash": panel.config_hash})
    assert matching_calibration(panel, named) == named
    stem = f"panel-v{panel.version}.attack_responses"
    (tmp_path / f"{stem}.any.json").write_text(cal.model_dump_json(), encoding="utf-8")
    assert calibration_for(panel, "attack_responses", user_dir=tmp_path) is None
    (tmp_path / f"{stem}.named.json").write_text(named.model_dump_json(), encoding="utf-8")
    assert calibration_for(panel, "attack_responses", user_dir=tmp_path) == named

    rules = get("rules")
    any_rules = calibration_from_counts(("rules", rules.version, None), population="attack_responses",
                                        dataset="placeholder-labels", tp=95, fn=5, tn=95, fp=5)
    assert not rules.calibrated_per_configuration
    assert matching_calibration(rules, any_rules) == any_rules
    (tmp_path / f"rules-v{rules.version}.attack_responses.any.json").write_text(any_rules.model_dump_json(),
                                                                                 encoding="utf-8")
    assert calibration_for(rules, "attack_responses", user_dir=tmp_path) is not None
