"""The collector's settings for a long run (``cli/_gc.long_run``): set for the run, restored after it,
also when it fails; cycles made during the run are still collected."""

from __future__ import annotations

import gc
import weakref

import pytest

from jailscale.cli._gc import GEN0_THRESHOLD, long_run


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def test_settings_hold_inside_and_are_restored_after() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with long_run():
        assert gc.get_threshold() == (GEN0_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_restored_when_the_run_fails() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError, match="boom"), long_run():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_cycles_made_during_the_run_are_still_collected() -> None:
    with long_run():
        refs = []
        for _ in range(3 * GEN0_THRESHOLD):  # enough allocations to trigger collections on their own
            n = _Node()
            refs.append(weakref.ref(n))
            del n
        alive = sum(r() is not None for r in refs)
    assert alive < GEN0_THRESHOLD + 1, f"{alive} cycles still alive after {3 * GEN0_THRESHOLD} were dropped"
