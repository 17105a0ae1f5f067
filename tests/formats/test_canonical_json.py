"""The canonical JSON every content hash is taken over: made by one shared encoder, it must stay the
exact text of ``json.dumps`` with the documented options (a changed byte would change every hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest

from jailscale.formats._base import canonical_json, sha256_of

CASES: list[Any] = [
    {"b": 1, "a": [3, 2, {"z": None, "y": True}], "é": "naïve – ✓", "n": -0.0, "f": 1e-7, "big": 10**30},
    ["placeholder", {"nested": {"k2": [], "k1": {}}}, 1.5, float("1e16")],
    {"when": dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC), "amount": Decimal("1.10")},  # default=str
    "sha256:" + "0" * 64,
    {"ctrl": "line\nbreak\t\"quoted\" \\ \u0000 \u2028"},
]


@pytest.mark.parametrize("data", CASES)
def test_canonical_json_is_json_dumps_with_the_documented_options(data: Any) -> None:
    expected = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert canonical_json(data) == expected
    assert sha256_of(data) == "sha256:" + hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_a_known_hash_is_unchanged() -> None:
    # computed by hand from the text '{"a":"é","b":[1,2]}'
    text = '{"a":"é","b":[1,2]}'
    assert canonical_json({"b": [1, 2], "a": "é"}) == text
    assert sha256_of({"b": [1, 2], "a": "é"}) == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_nan_is_written_as_json_dumps_writes_it() -> None:
    assert canonical_json({"x": float("nan")}) == '{"x":NaN}'
