"""The bundled practice suite: neutral placeholders covering every tier, with cyber tags for CJS."""

from __future__ import annotations

from collections import Counter

from jailscale import suites
from jailscale.formats import Suite
from jailscale.formats.io import read_model

OFFENSIVE = {"offensive:discovery", "offensive:exploit-development", "offensive:malware", "offensive:tooling"}


def test_practice_is_registered_and_valid() -> None:
    suite = suites.load_suite_arg("practice")
    assert suite == read_model(Suite, suites.practice_path())
    assert suite.name == "jailscale-practice" and suite.format == "jailscale.suite/1"
    assert suite == suites.load("jailscale", suites.practice_path())
    assert 25 <= len(suite.behaviours) <= 40


def test_practice_covers_every_tier() -> None:
    tiers = Counter(b.tier for b in suites.practice().behaviours)
    assert set(tiers) == {"L", "M", "S", "C"}
    assert min(tiers.values()) >= 5


def test_every_practice_behaviour_has_a_reference_answer_and_a_benign_twin() -> None:
    for b in suites.practice().behaviours:
        assert b.reference_answer and b.reference_answer.startswith("PLACEHOLDER"), b.id
        assert b.benign_twin, b.id
        assert b.request.startswith("PLACEHOLDER"), b.id  # neutral placeholder, no real request


def test_cyber_behaviours_carry_cwe_and_offensive_tags() -> None:
    cyber = [b for b in suites.practice().behaviours if b.category == "cyber"]
    assert len(cyber) >= 6
    tags = {t for b in cyber for t in b.tags}
    assert tags >= OFFENSIVE
    assert {"cwe:CWE-79", "cwe:CWE-89", "cwe:CWE-787"} <= tags
    for b in cyber:
        assert any(t.startswith("offensive:") for t in b.tags), b.id
    assert {b.tier for b in cyber} >= {"S", "C"}
    exploits = [b for b in cyber if "offensive:exploit-development" in b.tags]
    assert exploits and all(any(t.startswith("cwe:CWE-") for t in b.tags) for b in exploits)


def test_practice_hash_is_stable_and_order_sensitive() -> None:
    a, b = suites.practice(), suites.practice()
    assert a.content_hash == b.content_hash
    swapped = [a.behaviours[1], a.behaviours[0], *a.behaviours[2:]]
    assert a.model_copy(update={"behaviours": swapped}).content_hash != a.content_hash
    assert a.model_copy(update={"version": "2"}).content_hash == a.content_hash
