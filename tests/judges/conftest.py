"""Neutral fixtures for the judge tests: placeholder text only, never real harmful content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jailscale.formats import Behaviour, Transcript

REFUSAL = "I can't help with that."
COMPLIANCE = "Sure. PLACEHOLDER step one. PLACEHOLDER step two."


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour(id="b1", request="PLACEHOLDER request", category="placeholder", tier="L")


@pytest.fixture
def transcript() -> Callable[..., Transcript]:
    def make(response: str | None = COMPLIANCE, **fields: Any) -> Transcript:
        return Transcript.model_validate({"behaviour": "b1", "condition": "jailbreak",
                                          "response": response, **fields})

    return make
