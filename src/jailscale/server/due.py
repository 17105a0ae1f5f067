"""Due dates from a response policy's "within" text (``spec.policy.ACTIONS``): "within 24 hours",
"within 72 hours", "within 30 days", "re-test within 90 days", "next release, at most 180 days".
The first number with its unit is the deadline, counted from when the action is decided."""

from __future__ import annotations

import datetime as dt
import re

_SPAN = re.compile(r"(\d{1,4})\s*(hour|day|week)s?\b", re.IGNORECASE)
_UNIT = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1)}


def span(within: str) -> dt.timedelta | None:
    m = _SPAN.search(within)
    return None if m is None else int(m.group(1)) * _UNIT[m.group(2).lower()]


def due_from(within: str, start: dt.datetime) -> dt.datetime | None:
    d = span(within)
    return None if d is None else start + d
