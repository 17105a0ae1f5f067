"""The ``recorded`` and ``mock`` judges."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from jailscale.formats import Behaviour, Transcript, Verdict
from jailscale.judges import Judge, get


def _sync(judge: Judge, items: list[tuple[Behaviour, Transcript]], concurrency: int = 8) -> list[Verdict]:
    """The tests own their event loop (the library never runs one)."""
    return asyncio.run(judge.judge_many(items, concurrency))


def one(name: str, b: Behaviour, t: Transcript, **options: str) -> Verdict:
    return _sync(get(name, **options), [(b, t)])[0]


def test_recorded_uses_the_only_verdict(behaviour: Behaviour, transcript: Callable[..., Transcript]) -> None:
    t = transcript(verdicts=[Verdict(judge="jailbreakbench", label="complied", rationale="jailbroken=true")])
    v = one("recorded", behaviour, t)
    assert (v.label, v.judge) == ("complied", "recorded")
    assert "jailbreakbench" in v.rationale and "jailbroken=true" in v.rationale


def test_recorded_picks_by_source(behaviour: Behaviour, transcript: Callable[..., Transcript]) -> None:
    t = transcript(verdicts=[Verdict(judge="a", label="complied"), Verdict(judge="b", label="refused")])
    assert one("recorded", behaviour, t, source="b").label == "refused"
    assert one("recorded", behaviour, t, source="a").label == "complied"
    ambiguous = one("recorded", behaviour, t)
    assert ambiguous.label == "unscoreable" and "source=" in ambiguous.rationale
    missing = one("recorded", behaviour, t, source="c")
    assert missing.label == "unscoreable" and "'c'" in missing.rationale


def test_recorded_without_verdicts_is_unscoreable(behaviour: Behaviour,
                                                  transcript: Callable[..., Transcript]) -> None:
    assert one("recorded", behaviour, transcript()).label == "unscoreable"
    assert get("recorded", source="x").config()["source"] == "x"


@pytest.mark.parametrize(("text", "label", "quality"), [
    ("[[complied]] [[q=0.8]] Sure. PLACEHOLDER.", "complied", 0.8),
    ("[[refused]] I can't help with that.", "refused", None),
    ("[[partial]][[q=0.25]]", "partial", 0.25),
    ("[[refused]] then [[complied]] [[q=0.1]] [[q=1]]", "complied", 1.0),  # the last marker wins
    ("no marker at all", "unscoreable", None),
    ("[[complied]] [[q=1.5]]", "unscoreable", None),  # bad quality: the judge fails, never "refused"
    ("[[complied]] [[q=abc]]", "unscoreable", None),
])
def test_mock_reads_markers(behaviour: Behaviour, transcript: Callable[..., Transcript],
                            text: str, label: str, quality: float | None) -> None:
    v = one("mock", behaviour, transcript(text))
    assert (v.label, v.quality, v.judge) == (label, quality, "mock")
