"""JSS vectors: strict parsing and the canonical string. A vector carries its version.

Grammar (JSS 1.0 and 2.0)::

    vector  = prefix 1*( "/" metric ":" value )
    prefix  = "JSS:1.0" / "JSS:2.0"
    metric  = one of the abbreviations of that version's table, in its order, each at most once
    value   = one of that metric's codes in that version; for a base metric also "X" (unknown)

The prefix selects the table the rest is read against (``metrics.table``) and the rules it is scored
by: a 1.0 vector is a 1.0 vector for ever (jss-2.0.md, section 15).

Every base metric must appear. A consequence, threat or environmental metric may be omitted (unset).
The canonical string lists the base metrics always, the other metrics only when set, in the order of
the metric table; ``parse(str(v)) == v`` and ``str(parse(s)) == s`` for every canonical ``s``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .metrics import SPEC_VERSION, TABLES, UNKNOWN, VERSIONS, Table, VersionError, table


class VectorError(ValueError):
    """Any reason a text is not a valid JSS vector. The message quotes the offending part."""


class PrefixError(VectorError):
    """The vector does not start with the prefix of a JSS version (``JSS:1.0``, ``JSS:2.0``)."""


class UnknownMetricError(VectorError):
    """A metric abbreviation that the vector's JSS version does not define."""


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
    """A JSS vector of one version: the value code of every metric that is set.

    Base metrics are always present (a code, or ``X`` for unknown); other metrics are present only
    when set. ``version`` (default :data:`~.metrics.SPEC_VERSION`) selects the metric table the codes
    are checked against and the rules the vector is scored by. Construct with :func:`parse` or
    :meth:`of`, which validate; two vectors are equal only if their versions are.
    """

    values: Mapping[str, str] = field(default_factory=dict)
    version: str = SPEC_VERSION

    def __post_init__(self) -> None:
        # Freeze a validated, canonically ordered copy so equal vectors compare and hash equal.
        try:
            t = table(self.version)
        except VersionError as e:
            raise PrefixError(str(e)) from None
        checked = _validate(dict(self.values), t)
        object.__setattr__(self, "values", _FrozenMap(checked))

    @classmethod
    def of(cls, *, version: str = SPEC_VERSION, **values: str) -> Vector:
        """``Vector.of(HD="C", UN="U", FI="H", RL="H", SB="A", UP="H")``; ``version="1.0"`` for 1.0."""
        return cls(values, version)

    @property
    def table(self) -> Table:
        """The metric table of this vector's version."""
        return TABLES[self.version]

    def get(self, abbr: str) -> str | None:
        """The code set for ``abbr``, or None when that metric is unset."""
        return self.values.get(abbr)

    def effective(self, abbr: str) -> str:
        """The code used for scoring: the set code, or the metric's most severe code when unset.

        Raises ``KeyError`` for an unknown base metric (code X): it has no scoring value.
        """
        code = self.values.get(abbr)
        t = TABLES[self.version]
        if code is None:
            return t.by_abbr[abbr].worst
        if code == UNKNOWN and abbr in t.base:
            raise KeyError(abbr)
        return code

    @property
    def unknown_base(self) -> tuple[str, ...]:
        """Base metrics given as X (unknown); any of them withholds the score."""
        return tuple(a for a in TABLES[self.version].base if self.values.get(a) == UNKNOWN)

    def replace(self, **changes: str | None) -> Vector:
        """A copy (same version) with some metrics changed; ``None`` unsets an optional metric."""
        new = dict(self.values)
        for abbr, code in changes.items():
            if code is None:
                new.pop(abbr, None)
            else:
                new[abbr] = code
        return Vector(new, self.version)

    def __str__(self) -> str:
        return "/".join([TABLES[self.version].prefix, *(f"{a}:{c}" for a, c in self.values.items())])

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


def _check_value(abbr: str, code: str, t: Table) -> None:
    metric = t.by_abbr[abbr]
    allowed = metric.codes + ((UNKNOWN,) if metric.mandatory else ())
    if code not in allowed:
        hint = ", ".join(allowed)
        renamed = [o for o in VERSIONS if o != t.version and code in TABLES[o].by_abbr[abbr].codes
                   and TABLES[o].by_abbr[abbr].codes != metric.codes]
        note = (f" (\"{code}\" is a JSS {renamed[0]} code; JSS {t.version} writes "
                f"{metric.values[TABLES[renamed[0]].by_abbr[abbr].codes.index(code)].code})"
                if renamed else "")
        raise UnknownValueError(f'unknown value "{code}" for metric "{abbr}" ({metric.name}); '
                                f"expected one of {hint}{note}")


def _validate(values: dict[str, str], t: Table) -> dict[str, str]:
    for abbr in values:
        if abbr not in t.by_abbr:
            raise UnknownMetricError(f'unknown metric "{abbr}"; JSS {t.version} defines '
                                     f"{', '.join(t.order)}")
    for abbr, code in values.items():
        _check_value(abbr, code, t)
    missing = [a for a in t.base if a not in values]
    if missing:
        raise MissingMetricError(f"missing mandatory metric{'s' if len(missing) > 1 else ''} "
                                 f"{', '.join(missing)}; give a value, or X if it was not measured")
    return {a: values[a] for a in t.order if a in values}


def parse(text: str) -> Vector:
    """Parse a JSS vector string strictly; raise a :class:`VectorError` subclass on any fault.

    The prefix decides the version: ``JSS:1.0/...`` is read and scored as JSS 1.0, ``JSS:2.0/...`` as
    JSS 2.0."""
    if not isinstance(text, str):
        raise SyntaxVectorError(f"a vector must be text, not {type(text).__name__}")
    raw = text.strip()
    parts = raw.split("/")
    t = next((TABLES[v] for v in VERSIONS if TABLES[v].prefix == parts[0]), None)
    if t is None:
        current = TABLES[SPEC_VERSION].prefix
        prefixes = " or ".join(f'"{TABLES[v].prefix}/"' for v in VERSIONS)
        raise PrefixError(f'"{text}" does not start with {prefixes}; '
                          f"a JSS {SPEC_VERSION} vector looks like {current}/HD:S/UN:H/FI:M/RL:M/SB:A")
    seen: dict[str, str] = {}
    last_pos = -1
    last_abbr = ""
    for part in parts[1:]:
        abbr, sep, code = part.partition(":")
        if not sep or not abbr or not code or ":" in code:
            raise SyntaxVectorError(f'"{part}" in "{text}" is not METRIC:VALUE')
        if abbr not in t.by_abbr:
            raise UnknownMetricError(f'unknown metric "{abbr}" in "{text}"; JSS {t.version} defines '
                                     f"{', '.join(t.order)}")
        if abbr in seen:
            raise DuplicateMetricError(f'metric "{abbr}" appears twice in "{text}"')
        _check_value(abbr, code, t)
        pos = t.order.index(abbr)
        if pos < last_pos:
            raise OrderError(f'metric "{abbr}" comes after "{last_abbr}" in "{text}"; '
                             f"the canonical order is {'/'.join(t.order)}")
        seen[abbr] = code
        last_pos, last_abbr = pos, abbr
    try:
        return Vector(seen, t.version)
    except MissingMetricError as e:
        raise MissingMetricError(f'{e} (in "{text}")') from None
