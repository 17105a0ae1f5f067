"""JSS vectors: strict parsing and the canonical string.

Grammar (JSS 1.0)::

    vector  = "JSS:1.0" 1*( "/" metric ":" value )
    metric  = one of the abbreviations of ``metrics.ORDER``, in that order, each at most once
    value   = one of that metric's codes; for a base metric also "X" (unknown)

Every base metric must appear. A consequence, threat or environmental metric may be omitted (unset).
The canonical string lists the base metrics always, the other metrics only when set, in the order of
the metric table; ``parse(str(v)) == v`` and ``str(parse(s)) == s`` for every canonical ``s``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .metrics import BASE_METRICS, BY_ABBR, ORDER, SPEC_VERSION, UNKNOWN, VECTOR_PREFIX


class VectorError(ValueError):
    """Any reason a text is not a valid JSS vector. The message quotes the offending part."""


class PrefixError(VectorError):
    """The vector does not start with ``JSS:1.0``."""


class UnknownMetricError(VectorError):
    """A metric abbreviation that JSS 1.0 does not define."""


class UnknownValueError(VectorError):
    """A value that the metric does not define."""


class DuplicateMetricError(VectorError):
    """A metric given twice."""


class MissingMetricError(VectorError):
    """A mandatory (base) metric is absent."""


class OrderError(VectorError):
    """Metrics out of the canonical order."""


class SyntaxVectorError(VectorError):
    """A component that is not ``METRIC:VALUE``."""


@dataclass(frozen=True)
class Vector:
    """A JSS 1.0 vector: the value code of every metric that is set.

    Base metrics are always present (a code, or ``X`` for unknown); other metrics are present only
    when set. Construct with :func:`parse` or :meth:`of`, which validate.
    """

    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Freeze a validated, canonically ordered copy so equal vectors compare and hash equal.
        checked = _validate(dict(self.values))
        object.__setattr__(self, "values", _FrozenMap(checked))

    @classmethod
    def of(cls, **values: str) -> Vector:
        """``Vector.of(HD="C", UN="U", FI="H", RL="H", SB="A", UP="H")``."""
        return cls(values)

    def get(self, abbr: str) -> str | None:
        """The code set for ``abbr``, or None when that metric is unset."""
        return self.values.get(abbr)

    def effective(self, abbr: str) -> str:
        """The code used for scoring: the set code, or the metric's most severe code when unset.

        Raises ``KeyError`` for an unknown base metric (code X): it has no scoring value.
        """
        code = self.values.get(abbr)
        if code is None:
            return BY_ABBR[abbr].worst
        if code == UNKNOWN and abbr in BASE_METRICS:
            raise KeyError(abbr)
        return code

    @property
    def unknown_base(self) -> tuple[str, ...]:
        """Base metrics given as X (unknown); any of them withholds the score."""
        return tuple(a for a in BASE_METRICS if self.values.get(a) == UNKNOWN)

    def replace(self, **changes: str | None) -> Vector:
        """A copy with some metrics changed; ``None`` unsets an optional metric."""
        new = dict(self.values)
        for abbr, code in changes.items():
            if code is None:
                new.pop(abbr, None)
            else:
                new[abbr] = code
        return Vector(new)

    def __str__(self) -> str:
        return "/".join([VECTOR_PREFIX, *(f"{a}:{c}" for a, c in self.values.items())])

    def __repr__(self) -> str:
        return f"Vector({str(self)!r})"


class _FrozenMap(Mapping[str, str]):
    """An immutable, hashable, ordered mapping."""

    __slots__ = ("_items",)

    def __init__(self, data: dict[str, str]) -> None:
        self._items = tuple(data.items())

    def __getitem__(self, key: str) -> str:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FrozenMap):
            return self._items == other._items
        return NotImplemented

    def __repr__(self) -> str:
        return repr(dict(self._items))


def _check_value(abbr: str, code: str) -> None:
    metric = BY_ABBR[abbr]
    allowed = metric.codes + ((UNKNOWN,) if metric.mandatory else ())
    if code not in allowed:
        hint = ", ".join(allowed)
        raise UnknownValueError(f'unknown value "{code}" for metric "{abbr}" ({metric.name}); '
                                f"expected one of {hint}")


def _validate(values: dict[str, str]) -> dict[str, str]:
    for abbr in values:
        if abbr not in BY_ABBR:
            raise UnknownMetricError(f'unknown metric "{abbr}"; JSS {SPEC_VERSION} defines '
                                     f"{', '.join(ORDER)}")
    for abbr, code in values.items():
        _check_value(abbr, code)
    missing = [a for a in BASE_METRICS if a not in values]
    if missing:
        raise MissingMetricError(f"missing mandatory metric{'s' if len(missing) > 1 else ''} "
                                 f"{', '.join(missing)}; give a value, or X if it was not measured")
    return {a: values[a] for a in ORDER if a in values}


def parse(text: str) -> Vector:
    """Parse a JSS vector string strictly; raise a :class:`VectorError` subclass on any fault."""
    if not isinstance(text, str):
        raise SyntaxVectorError(f"a vector must be text, not {type(text).__name__}")
    raw = text.strip()
    parts = raw.split("/")
    if parts[0] != VECTOR_PREFIX:
        raise PrefixError(f'"{text}" does not start with "{VECTOR_PREFIX}/"; '
                          f"a JSS {SPEC_VERSION} vector looks like {VECTOR_PREFIX}/HD:S/UN:H/FI:M/RL:M/SB:A")
    seen: dict[str, str] = {}
    last_pos = -1
    last_abbr = ""
    for part in parts[1:]:
        abbr, sep, code = part.partition(":")
        if not sep or not abbr or not code or ":" in code:
            raise SyntaxVectorError(f'"{part}" in "{text}" is not METRIC:VALUE')
        if abbr not in BY_ABBR:
            raise UnknownMetricError(f'unknown metric "{abbr}" in "{text}"; JSS {SPEC_VERSION} defines '
                                     f"{', '.join(ORDER)}")
        if abbr in seen:
            raise DuplicateMetricError(f'metric "{abbr}" appears twice in "{text}"')
        _check_value(abbr, code)
        pos = ORDER.index(abbr)
        if pos < last_pos:
            raise OrderError(f'metric "{abbr}" comes after "{last_abbr}" in "{text}"; '
                             f"the canonical order is {'/'.join(ORDER)}")
        seen[abbr] = code
        last_pos, last_abbr = pos, abbr
    try:
        return Vector(seen)
    except MissingMetricError as e:
        raise MissingMetricError(f'{e} (in "{text}")') from None
