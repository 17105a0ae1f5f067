"""The tier audit (docs/spec/tier-audit.md): every bundled loader's real dataset against JSS 4.1's fixed
rules. A mass-casualty-weapons behaviour below C, or a child-sexual-exploitation behaviour below S, fails
here unless it was reviewed and its reason recorded; stale overrides and reviews fail too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jailscale.formats import Suite
from jailscale.suites import harmbench, jbb, practice, strongreject, xstest
from jailscale.suites._common import TIERS, refine, refinements, tier_map
from jailscale.suites.audit import SCREENS, screen_suite
from script_loader import load_script

LOADERS: dict[str, tuple[Callable[[Path], Suite], str]] = {
    "JailbreakBench": (jbb.load, "jbb-behaviors/harmful-behaviors.csv"),
    "HarmBench": (harmbench.load, "harmbench/behavior_datasets/harmbench_behaviors_text_all.csv"),
    "StrongREJECT": (strongreject.load, "strongreject/strongreject_dataset_mit_subset.csv"),
    "XSTest": (xstest.load, "xstest/xstest_prompts.csv"),
}


def _load(source: str, shared_data: Path) -> Suite:
    loader, rel = LOADERS[source]
    return loader(shared_data / rel)


@pytest.mark.shared
@pytest.mark.parametrize("source", sorted(LOADERS))
def test_no_mass_casualty_weapon_below_c_and_no_child_exploitation_below_s(source: str, shared_data: Path) -> None:
    findings = screen_suite(source, _load(source, shared_data))
    below = [f for f in findings if f.outcome == "BELOW FLOOR"]
    assert not below, "behaviours below their 4.1 floor (raise them in tier_refinements.yaml, or review them " \
        "with a reason): " + ", ".join(f"{f.behaviour} ({f.screen}, tier {f.tier})" for f in below)
    assert findings, f"the screens matched nothing in {source}: they would not catch a defect there"


@pytest.mark.shared
@pytest.mark.parametrize("source", sorted(LOADERS))
def test_every_override_and_review_names_a_behaviour_the_data_has(source: str, shared_data: Path) -> None:
    suite = _load(source, shared_data)
    ids = set(suite.by_id())
    overrides = set(refinements()["overrides"].get(source, {}))
    assert overrides <= ids, f"stale overrides: {sorted(overrides - ids)}"
    reviewed = refinements()["reviewed"].get(source, {})
    matched_below = {f.behaviour for f in screen_suite(source, suite) if f.outcome.startswith("reviewed")}
    assert set(reviewed) == matched_below, f"stale reviews: {sorted(set(reviewed) - matched_below)}"
    for b in suite.behaviours:
        assert (b.id in overrides) == (b.tier_reason is not None), b.id


@pytest.mark.shared
def test_the_jbb_nuclear_weapon_behaviour_is_c(shared_data: Path) -> None:
    by_id = jbb.load(shared_data / "jbb-behaviors").by_id()
    b = by_id["nuclear-weapons"]
    assert b.category == "Government decision-making"
    assert tier_map()["JailbreakBench"][b.category]["tier"] == "M"  # the category alone says M ...
    assert b.tier == "C" and b.tier_reason is not None and "4.1-CBRN" in b.tier_reason  # ... the rule says C


@pytest.mark.shared
def test_the_screen_catches_a_weapon_left_at_its_category_tier(shared_data: Path) -> None:
    """The check can fail: the same suite with one refinement undone is reported."""
    suite = _load("HarmBench", shared_data)
    undone = [b.model_copy(update={"tier": "S", "tier_reason": None}) if b.id == "sarin_ingredients_purchase_guide"
              else b for b in suite.behaviours]
    findings = screen_suite("HarmBench", suite.model_copy(update={"behaviours": undone}))
    assert [f.behaviour for f in findings if f.outcome == "BELOW FLOOR"] == ["sarin_ingredients_purchase_guide"]


def test_the_practice_suite_meets_the_floors() -> None:
    findings = screen_suite("practice", practice())
    assert findings and all(f.outcome == "at floor" for f in findings)
    assert {b.tier for b in practice().behaviours if b.category == "cbrne"} == {"C"}


def test_refinements_only_raise() -> None:
    for source, entries in refinements()["overrides"].items():
        for bid, e in entries.items():
            assert e["tier"] in TIERS and e["reason"].strip() and e["clause"] in {
                "4.1-CBRN", "4.1-CSE", "4.2-INFRA", "3.1-S", "3.1-M", "3.1-L"}, (source, bid)
    with pytest.raises(RuntimeError, match="only raises"):
        refine("HarmBench", {"id": "underage_handgun_purchase", "tier": "C"})  # its override says S
    assert refine("JailbreakBench", {"id": "not-listed", "tier": "M"}) == {"id": "not-listed", "tier": "M"}


def test_every_category_has_a_clause() -> None:
    clauses = refinements()["clauses"]
    for source, cats in tier_map().items():
        assert set(cats) == set(clauses[source]), source
    assert {s.floor for s in SCREENS} == {"C", "S"}


def test_the_audit_page_is_current(repo_root: Path) -> None:
    mod = load_script("write_tier_audit")
    path = repo_root / "docs" / "spec" / "tier-audit.md"
    assert path.read_text(encoding="utf-8") == mod.render(), \
        "docs/spec/tier-audit.md is out of date: run .venv/bin/python scripts/write_tier_audit.py"
