"""docs/spec/policy-default.yaml is the default policy of JSS 1.0, written as YAML."""

from __future__ import annotations

from pathlib import Path

import yaml

from jailscale import spec

POLICY_FILE = Path(__file__).resolve().parents[2] / "docs" / "spec" / "policy-default.yaml"


def _load() -> dict:
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_policy_file_equals_default_policy_data() -> None:
    assert _load() == dict(spec.DEFAULT_POLICY_DATA)


def test_policy_file_loads_to_the_default_policy() -> None:
    policy = spec.load_policy(_load())
    assert policy == spec.DEFAULT_POLICY
    assert policy.name == "jss-default-1.0"


def test_policy_file_passes_every_check() -> None:
    report = spec.check(spec.load_policy(_load()))
    assert report.ok, report.problems
    # rating (5) x HD (5) x UN (4) x FI (3) x DX (4): every combination decided.
    assert report.combinations == 5 * 5 * 4 * 3 * 4
