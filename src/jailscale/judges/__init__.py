"""Judges: turn a transcript into a verdict, behind one seam with a registry.

``get("rules")`` is the offline default; ``available()`` lists every registered judge;
``register(name, factory)`` adds one. ``calibration_for(judge, population)`` gives the typed
:class:`~jailscale.formats.Calibration` that applies to a judge on a population (None when there is
none). See ``docs/judges.md``.
"""

from __future__ import annotations

from .base import Judge
from .calibration import calibration_for
from .registry import available, get, register

__all__ = ["Judge", "available", "calibration_for", "get", "register"]
