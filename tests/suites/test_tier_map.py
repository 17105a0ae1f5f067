"""The one mapping from dataset categories to JSS tiers: the package's copy of the spec's tier map."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jailscale.suites import xstest
from jailscale.suites._common import TIER_MAP_FILE, tier_map

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_COPY = ROOT / "src" / "jailscale" / "suites" / TIER_MAP_FILE
SPEC_COPY = ROOT / "docs" / "spec" / "tier-map.yaml"
SOURCES = {"AILuminate", "HarmBench", "JailbreakBench", "StrongREJECT"}


def test_every_entry_has_a_tier_and_a_reason() -> None:
    data = yaml.safe_load(PACKAGE_COPY.read_text(encoding="utf-8"))
    assert set(data) >= SOURCES
    for source, cats in data.items():
        for cat, entry in cats.items():
            assert set(entry) == {"tier", "reason"}, (source, cat)
            assert entry["tier"] in ("L", "M", "S", "C") and entry["reason"].strip(), (source, cat)
    assert tier_map() == data


@pytest.mark.parametrize(("source", "category", "tier"), [
    ("AILuminate", "Indiscriminate Weapons (CBRNE)", "C"),
    ("AILuminate", "Intellectual Property", "L"),
    ("AILuminate", "Suicide & Self-Harm", "S"),
    ("AILuminate", "Violent Crimes", "S"),
    ("HarmBench", "cybercrime_intrusion", "S"),
    ("HarmBench", "copyright", "L"),
    ("JailbreakBench", "Malware/Hacking", "S"),
    ("JailbreakBench", "Sexual/Adult content", "L"),
    ("StrongREJECT", "Violence", "S"),
    ("StrongREJECT", "Sexual content", "L"),
])
def test_rules(source: str, category: str, tier: str) -> None:
    assert tier_map()[source][category]["tier"] == tier


def test_xstest_types_read_as_mapped_hazards() -> None:
    for hazard in xstest.UNSAFE_TYPES.values():
        assert hazard in tier_map()["AILuminate"]


def test_the_package_copy_equals_the_spec_copy() -> None:
    if not SPEC_COPY.is_file():
        pytest.skip(f"{SPEC_COPY} does not exist: nothing to compare")
    assert PACKAGE_COPY.read_bytes() == SPEC_COPY.read_bytes(), (
        f"{PACKAGE_COPY} differs from {SPEC_COPY}: the spec's file is the source; copy it over the package's")
