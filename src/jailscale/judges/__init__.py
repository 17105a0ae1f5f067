"""Judges: turn a transcript into a verdict, behind one seam with a registry.

``get("rules")`` is the offline default; ``available()`` lists every registered judge;
``register(name, factory)`` adds one. ``calibration_of(judge)`` gives a judge's measured agreement
with human labels when it ships with one. See ``docs/judges.md``.
"""

from __future__ import annotations

from .base import Judge
from .calibration import calibration_of
from .registry import available, get, register

__all__ = ["Judge", "available", "calibration_of", "get", "register"]
