"""The baseline registry: the bundled set, validation of a set file, picks, and `jailscale rescore`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from jailscale import baselines
from jailscale.cli.main import app
from jailscale.errors import UserError
from jailscale.formats import Assessment, BaselineSet, Submission
from jailscale.integrity import check_assessment, content_id
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs
from jailscale.runner.rescore import rescore
from jailscale.store import Store

PICK = "meta/llama-3.1-405b-instruct"
NOW = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def _set(**changes: Any) -> dict[str, Any]:
    data = baselines.bundled().model_dump(mode="json")
    data.update(changes)
    return data


def _write(tmp_path: Path, data: dict[str, Any], name: str = "set.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def _picking_demo(pick: str = PICK) -> tuple[Submission, Any]:
    """The demo submission with its placeholder reference replaced by a pick from the registry."""
    sub, suite = demo_inputs()
    evidence = [t.model_copy(update={"reference": pick}) if t.condition == "reference" else t for t in sub.evidence]
    return sub.model_copy(update={"references": [], "baselines": [pick], "evidence": evidence}), suite


def test_the_bundled_set_is_dated_and_sourced() -> None:
    s = baselines.bundled()
    assert s.format == "jailscale.baselines/1" and len(s.baselines) >= 8
    assert {b.kind for b in s.baselines} == {"open_weights", "public_api"}
    for b in s.baselines:
        assert b.source.startswith("https://") and b.available_from <= s.as_of
    assert len(baselines.bundled_paths()) >= 1
    assert baselines.bundled().content_hash == baselines.load(baselines.bundled_paths()[-1]).content_hash


@pytest.mark.parametrize(("change", "message"), [
    ({"baselines": [{"id": "a/b", "model": "m", "version": "v", "kind": "open_weights",
                     "available_from": "2024-01-01", "source": "https://example.org/x"}] * 2},
     "duplicate baseline ids"),
    ({"as_of": "2023-01-01"}, "available after the set's as_of"),
    ({"baselines": [{"id": "a/b", "model": "m", "version": "v", "kind": "open_weights",
                     "available_from": "2024-01-01", "source": "http://insecure.example"}]}, "source"),
    ({"baselines": [{"id": "a/b", "model": "m", "version": "v", "kind": "closed",
                     "available_from": "2024-01-01", "source": "https://example.org"}]}, "kind"),
    ({"baselines": [{"id": f"m/{i}", "model": "m", "version": "v", "kind": "open_weights",
                     "available_from": "2024-01-01", "source": "https://example.org"} for i in range(501)]},
     "at most 500"),
    ({"name": "x" * 101}, "name"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_set_is_refused_with_one_line(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        baselines.load(_write(tmp_path, _set(**change)))


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = _write(tmp_path, _set()).read_text(encoding="utf-8")
    doubled = text.replace("as_of: '2026-11-30'", "as_of: '2026-11-30'\nas_of: '2030-01-01'", 1)
    assert doubled != text
    p = tmp_path / "dup.yaml"
    p.write_text(doubled, encoding="utf-8")
    with pytest.raises(UserError, match="as_of"):
        baselines.load(p)
    js = tmp_path / "dup.json"
    js.write_text('{"format": "jailscale.baselines/1", "name": "a", "name": "b", "as_of": "2026-01-01", '
                  '"baselines": []}', encoding="utf-8")
    with pytest.raises(UserError, match="name"):
        baselines.load(js)


def test_picks_in_the_set_become_references_and_the_rest_are_not_counted() -> None:
    sub, _ = _picking_demo()
    bset = baselines.bundled()
    measured, picks, warnings = baselines.pick(sub, bset)
    assert [p.id for p in picks.picked] == [PICK] and not picks.not_in_set and not warnings
    assert [r.name for r in measured.references] == [PICK]
    assert measured.evidence == sub.evidence

    smaller = bset.model_copy(update={"baselines": [b for b in bset.baselines if b.id != PICK]})
    measured, picks, warnings = baselines.pick(sub, smaller)
    assert picks.not_in_set == [PICK] and not picks.picked
    assert not any(t.condition == "reference" for t in measured.evidence)
    assert any("not in set" in w for w in warnings)

    early = sub.model_copy(update={"assessed_on": dt.date(2024, 7, 1)})  # before 2024-07-23
    _, picks, warnings = baselines.pick(early, bset)
    assert picks.not_available == [PICK] and any("not public on 2024-07-01" in w for w in warnings)


def test_an_assessment_records_its_picks_and_stays_intact() -> None:
    sub, suite = _picking_demo()
    a = assess(sub, suite, now=NOW).assessment
    assert a.baselines is not None and [p.id for p in a.baselines.picked] == [PICK]
    assert a.baselines.set_hash == baselines.bundled().content_hash
    assert check_assessment(a) == []
    up = next(m for m in a.metrics if m.abbr == "UP")
    assert up.source == "measured"


def test_an_assessment_without_picks_keeps_the_id_rule_of_1_0() -> None:
    sub, suite = demo_inputs()
    a = assess(sub, suite, now=NOW).assessment
    old = Assessment.model_validate({k: v for k, v in a.model_dump(mode="json").items() if k != "baselines"})
    assert old.baselines is None
    assert content_id(old) == content_id(old.model_copy(update={"baselines": None}))
    assert content_id(old) != content_id(a)  # the picks are part of the content


def test_rescore_reports_a_pick_no_longer_in_the_set_and_never_lowers(tmp_path: Path) -> None:
    sub, suite = _picking_demo()
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        before = assess(sub, suite, store=store, now=NOW).assessment
        bset = baselines.bundled()
        same = rescore(store, before, bset, now=NOW, save=False)
        assert same.after.vector == before.vector and same.after.id == before.id
        assert same.no_longer_in_set == [] and same.dropped == []

        moved = bset.model_copy(update={"name": "moved", "baselines": [b for b in bset.baselines if b.id != PICK]})
        out = rescore(store, before, moved, now=NOW)
        assert out.no_longer_in_set == [PICK] and out.dropped == [PICK] and out.stored
        after = out.after
        assert after.baselines is not None and after.baselines.set_name == "moved"
        assert check_assessment(after) == []
        up_before = next(m for m in before.metrics if m.abbr == "UP")
        up_after = next(m for m in after.metrics if m.abbr == "UP")
        assert up_before.source == "measured" and up_after.source != "measured"
        assert after.score.high >= before.score.high  # less evidence never lowers
        assert store.get_assessment(after.id).id == after.id


def test_rescore_cli(tmp_path: Path) -> None:
    sub, suite = _picking_demo()
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with Store.open(db) as store:
        before = assess(sub, suite, store=store, now=NOW).assessment
    bset = baselines.bundled()
    moved = _write(tmp_path, {**bset.model_dump(mode="json"),
                              "baselines": [b.model_dump(mode="json") for b in bset.baselines if b.id != PICK]})
    runner = CliRunner()
    r = runner.invoke(app, ["rescore", before.id[7:19], "--baselines", str(moved), "--db", db])
    assert r.exit_code == 0, r.output
    assert f"no longer in the set (reference evidence not counted): {PICK}" in r.output
    assert "before: " in r.output and "after: " in r.output
    r = runner.invoke(app, ["rescore", before.id[7:19], "--baselines", str(moved), "--db", db, "--json",
                            "--no-store"])
    data = json.loads(r.output)
    assert data["no_longer_in_set"] == [PICK] and data["stored"] is False
    r = runner.invoke(app, ["rescore", before.id[7:19], "--baselines", str(tmp_path / "nope.yaml"), "--db", db])
    assert r.exit_code == 2 and "nope.yaml" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["baselines", "show", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["name"] == "jss-baselines"


def test_rescore_refuses_evidence_that_is_not_stored(tmp_path: Path) -> None:
    sub, suite = _picking_demo()
    a = assess(sub, suite, now=NOW).assessment  # not stored
    with Store.open(f"sqlite:///{tmp_path / 'empty.sqlite3'}") as store, \
            pytest.raises(UserError, match="no stored submission"):
        rescore(store, a, baselines.bundled())


def test_a_set_validates_as_a_model() -> None:
    assert BaselineSet.model_validate(_set()).content_hash == baselines.bundled().content_hash


def test_the_bundled_set_validates_against_the_published_schema(repo_root: Path) -> None:
    import jsonschema

    from jailscale.formats.io import read_data

    schema = json.loads((repo_root / "docs" / "schema" / "baselines.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(read_data(baselines.bundled_paths()[-1]),
                                                                           default=str)))


def test_rescore_keeps_the_judge_failure_count(tmp_path: Path) -> None:
    """The mock judge cannot read a response with no marker (unscoreable): assess counts it by kind in
    a warning, and a re-score of the same evidence states the same warning and keeps the same id."""
    sub, suite = demo_inputs()
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        before = assess(sub, suite, judge_name="mock", store=store, now=NOW).assessment
        warned = [w for w in before.warnings if "could not be scored by the judge" in w]
        answered = sum(1 for t in sub.evidence if t.response and t.response.strip() and not t.error
                       and not t.blocked_by)
        assert warned == [f"{answered} verdict(s) could not be scored by the judge (unscoreable {answered}): each "
                          "kind counted apart, left out of every rate and never counted as a refusal"]
        same = rescore(store, before, baselines.bundled(), now=NOW, save=False)
        assert same.after.warnings == before.warnings and same.after.id == before.id
