"""Each dataset loader on the real public data in ../shared/data (counts as its PROVENANCE.md says)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from jailscale import suites
from jailscale.formats import Suite
from jailscale.suites import harmbench, jbb, strongreject, xstest

pytestmark = pytest.mark.shared

TIERS = {"L", "M", "S", "C"}


def _every_behaviour_has_a_tier(suite: Suite) -> None:
    assert all(b.tier in TIERS for b in suite.behaviours)
    assert len({b.id for b in suite.behaviours}) == len(suite.behaviours)


def test_jbb_has_100_behaviours_in_10_categories_with_benign_twins(shared_data: Path) -> None:
    folder = shared_data / "jbb-behaviors"
    suite = jbb.load(folder / "harmful-behaviors.csv")
    assert suite.name == "jbb-behaviors"
    assert len(suite.behaviours) == 100
    assert Counter(b.category for b in suite.behaviours) == {c: 10 for c in (
        "Harassment/Discrimination", "Malware/Hacking", "Physical harm", "Economic harm", "Fraud/Deception",
        "Disinformation", "Sexual/Adult content", "Privacy", "Expert advice", "Government decision-making")}
    _every_behaviour_has_a_tier(suite)
    with (folder / "benign-behaviors.csv").open(encoding="utf-8", newline="") as f:
        benign = {int(r["Index"]): r["Goal"] for r in csv.DictReader(f)}
    for i, b in enumerate(suite.behaviours):
        assert b.benign_twin == benign[i], b.id
        assert f"jbb:index:{i}" in b.tags
    unrefined = {b.category: b.tier for b in suite.behaviours if b.tier_reason is None}
    assert unrefined["Malware/Hacking"] == "S" and unrefined["Sexual/Adult content"] == "L"
    # categories: M 70, S 20, L 10; the refinements of docs/spec/tier-audit.md raise 2 to C, 8 to S
    assert Counter(b.tier for b in suite.behaviours) == {"M": 67, "S": 28, "L": 3, "C": 2}


def test_jbb_ids_are_behaviour_slugs(shared_data: Path) -> None:
    suite = jbb.load(shared_data / "jbb-behaviors")  # a folder works too
    ids = [b.id for b in suite.behaviours]
    assert ids[0] == "defamation"
    assert "human-trafficking" in ids  # upstream spells it with two spaces
    assert jbb.behaviour_id("Human  trafficking") == jbb.behaviour_id("Human trafficking")


def test_harmbench_has_400_behaviours_with_functional_tags_and_contexts(shared_data: Path) -> None:
    folder = shared_data / "harmbench" / "behavior_datasets"
    suite = harmbench.load(folder / "harmbench_behaviors_text_all.csv")
    assert len(suite.behaviours) == 400
    _every_behaviour_has_a_tier(suite)
    functional = Counter(t for b in suite.behaviours for t in b.tags if t.startswith("functional:"))
    assert functional == {"functional:standard": 200, "functional:contextual": 100,
                          "functional:copyright": 100}
    contextual = [b for b in suite.behaviours if "functional:contextual" in b.tags]
    assert all(b.context for b in contextual)
    assert sum(1 for b in suite.behaviours if b.context) == 100
    assert Counter(b.category for b in suite.behaviours) == {
        "chemical_biological": 56, "copyright": 100, "cybercrime_intrusion": 67, "harassment_bullying": 25,
        "harmful": 22, "illegal": 65, "misinformation_disinformation": 65}
    # chemical_biological and cybercrime_intrusion are S in the spec's tier map (docs/spec/tier-map.yaml);
    # the refinements of docs/spec/tier-audit.md raise 26 S and 1 M to C, and 18 M to S
    assert Counter(b.tier for b in suite.behaviours) == {"C": 27, "S": 56 + 67 - 26 + 18, "M": 177 - 1 - 18,
                                                         "L": 100}
    assert sum(1 for b in suite.behaviours if "harmbench:hash_check" in b.tags) == 100


def test_harmbench_val_and_test_split_the_full_set(shared_data: Path) -> None:
    folder = shared_data / "harmbench" / "behavior_datasets"
    every = {b.id for b in harmbench.load(folder / "harmbench_behaviors_text_all.csv").behaviours}
    val = {b.id for b in harmbench.load(folder / "harmbench_behaviors_text_val.csv").behaviours}
    test = {b.id for b in harmbench.load(folder / "harmbench_behaviors_text_test.csv").behaviours}
    assert (len(val), len(test)) == (80, 320)
    assert val | test == every and not val & test


def test_strongreject_has_281_prompts(shared_data: Path) -> None:
    suite = strongreject.load(shared_data / "strongreject" / "strongreject_dataset_mit_subset.csv")
    assert len(suite.behaviours) == 281
    _every_behaviour_has_a_tier(suite)
    assert Counter(b.category for b in suite.behaviours) == {
        "Violence": 52, "Non-violent crimes": 51, "Disinformation and deception": 49, "Sexual content": 49,
        "Illegal goods and services": 47, "Hate, harassment and discrimination": 33}
    assert all(b.id.startswith("strongreject-") for b in suite.behaviours)
    assert {b.tier for b in suite.behaviours if b.category == "Violence"} == {"S", "C"}
    assert Counter(b.tier for b in suite.behaviours) == {"M": 165, "S": 69, "L": 43, "C": 4}


def test_xstest_has_250_safe_and_200_unsafe(shared_data: Path) -> None:
    suite = xstest.load(shared_data / "xstest" / "xstest_prompts.csv")
    assert len(suite.behaviours) == 450
    _every_behaviour_has_a_tier(suite)
    safe = [b for b in suite.behaviours if "xstest:safe" in b.tags]
    unsafe = [b for b in suite.behaviours if "xstest:unsafe" in b.tags]
    assert (len(safe), len(unsafe)) == (250, 200)
    assert {b.tier for b in safe} == {"L"}
    assert all(b.category.startswith("contrast_") for b in unsafe)
    assert Counter(b.hazard for b in unsafe) == {"Violent Crimes": 125, "Hate": 50, "Privacy": 25}
    # by type: S 125, M 75; the refinements raise 10 Hate-typed prompts to S and 1 to C
    assert Counter(b.tier for b in unsafe) == {"S": 136, "M": 63, "C": 1}
    assert all(b.hazard is None for b in safe)


@pytest.mark.parametrize(("arg", "count"), [
    ("jbb:{d}/jbb-behaviors/harmful-behaviors.csv", 100),
    ("harmbench:{d}/harmbench", 400),
    ("strongreject:{d}/strongreject", 281),
    ("xstest:{d}/xstest/xstest_prompts.csv", 450),
])
def test_loaders_through_the_registry(shared_data: Path, arg: str, count: int) -> None:
    suite = suites.load_suite_arg(arg.format(d=shared_data))
    assert len(suite.behaviours) == count


def test_content_hash_is_stable_and_order_sensitive(shared_data: Path) -> None:
    path = shared_data / "jbb-behaviors" / "harmful-behaviors.csv"
    a, b = jbb.load(path), jbb.load(path)
    assert a.content_hash == b.content_hash
    assert a.content_hash.startswith("sha256:") and len(a.content_hash) == 71
    renamed = a.model_copy(update={"name": "other", "source": "elsewhere"})
    assert renamed.content_hash == a.content_hash  # name and source are not content
    reordered = a.model_copy(update={"behaviours": list(reversed(a.behaviours))})
    assert reordered.content_hash != a.content_hash  # the order is part of the suite
