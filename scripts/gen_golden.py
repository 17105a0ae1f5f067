"""Regenerate the exhaustive golden files of tests/spec/golden/ from the published spec documents.

Each version's scoring tables are READ FROM ITS DOCUMENT (docs/spec/jss-1.0.md, docs/spec/jss-2.0.md):
the metric values of section 3, REACH, CAPABILITY, EXPOSURE, SB_DROP, ACCESS and EASE of section 7.2,
the class scores of section 7.3, the uplift gate of section 7.5, the refinement span and lowest floor
of 7.4 and the bands of 7.7. The algorithm that combines them is written here by hand from the prose
of section 7, afresh: integer arithmetic instead of ``fractions``, its own lookups. Nothing is imported
from ``jailscale``, so the golden files cross-check the code against the text of the standard, not the
code against a copy of itself. ``tests/spec/test_golden.py`` checks the files are current, that this
implementation agrees with the library on random vectors of both versions, and that every table read
from a document equals the code's table.

Usage::

    .venv/bin/python scripts/gen_golden.py           # rewrite the golden files, print the counts
    .venv/bin/python scripts/gen_golden.py --check   # exit 1 if a file on disk differs

``tests/spec/golden/hand_checked*.txt`` and ``cjs.txt`` are NOT regenerated: their answers come from
hand computation and from the CJS appendix.
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("1.0", "2.0")
UNKNOWN = "X"


def doc_path(version: str) -> Path:
    return ROOT / "docs" / "spec" / f"jss-{version}.md"


# --- reading the document --------------------------------------------------------------------------

def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table of ``text``: rows of stripped cells, the separator row dropped."""
    out: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= {"-", " ", ":"} for c in cells):
                current.append(cells)
        elif current:
            out.append(current)
            current = []
    return out


def _table(text: str, first_cell: str) -> list[list[str]]:
    found = [t for t in _tables(text) if t[0][0] == first_cell]
    if len(found) != 1:
        raise ValueError(f"expected one table headed {first_cell!r}, found {len(found)}")
    return found[0]


def _section(text: str, heading: str) -> str:
    """The text from the heading line starting with ``heading`` to the next heading of any level."""
    start = next(i for i, line in enumerate(text.splitlines()) if line.startswith(heading))
    lines = text.splitlines()[start + 1:]
    end = next((i for i, line in enumerate(lines) if line.startswith("#")), len(lines))
    return "\n".join(lines[:end])


def _grid(table: list[list[str]]) -> dict[str, tuple[int, ...]]:
    """Row label (the code after ``XX:``, or the whole label) -> integer cells."""
    return {row[0].split(":")[-1]: tuple(int(c) for c in row[1:]) for row in table[1:]}


def _tenths(cell: str) -> int:
    """The first number in a cell (``**6.9** (top of Medium)``), in tenths."""
    m = re.search(r"(\d+)\.(\d)", cell)
    if m is None:
        raise ValueError(f"no score in {cell!r}")
    return int(m.group(1)) * 10 + int(m.group(2))


@dataclass(frozen=True)
class Standard:
    """One version of JSS as its document states it."""

    version: str
    values: dict[str, tuple[str, ...]]       # metric -> codes, least to most severe (section 3)
    base: tuple[str, ...]                     # mandatory metrics (section 6.1)
    reach: dict[str, tuple[int, ...]]         # UN -> by RL L/M/H
    capability: dict[str, tuple[int, ...]]    # FI -> by UP N/L/M/H
    exposure: tuple[tuple[int, ...], ...]     # reach 1-3 -> by capability 1-3
    sb_drop: dict[str, int]
    access: dict[str, tuple[int, ...]]        # AR -> by DX R/E/P/O
    ease: dict[tuple[str, str, str], int]     # (AC, AU, EM) -> 1-3
    unfixable: str                            # the RM code that raises the threat
    classes: dict[str, tuple[tuple[int, ...], ...]]  # HD -> exposure 1-4 -> threat 1-3, tenths
    uplift_caps: dict[str, dict[str, int]]    # HD -> UP -> ceiling, tenths
    span: tuple[int, int]                     # refinement span as a fraction
    lowest_floor: int
    bands: tuple[tuple[int, str], ...]        # (lowest tenths, rating), most severe first

    @property
    def prefix(self) -> str:
        return f"JSS:{self.version}"

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(a for a in self.values if a not in self.base)


def read_standard(version: str, text: str | None = None) -> Standard:
    """Read one version's tables out of its document (``text`` overrides the file, for tests)."""
    text = doc_path(version).read_text(encoding="utf-8") if text is None else text
    values: dict[str, tuple[str, ...]] = {}
    for table in _tables(text[text.index("## 3. Metrics"):text.index("## 4. Harm tiers")]):
        for row in table[1:]:
            m = re.fullmatch(r"\*\*([A-Z]{2})\*\* .*", row[0])
            if m and len(row) >= 3:
                values[m.group(1)] = tuple(re.findall(r"\*\*([A-Z])\*\* ", row[2]))
    order = re.search(r"\*\*Canonical order\*\*: `([A-Z/]+)`", text)
    if order is None:
        raise ValueError("no canonical order in the document")
    values = {a: values[a] for a in order.group(1).split("/")}
    base_m = re.search(r"for a base metric \(([A-Z, ]+)\)", text)
    if base_m is None:
        raise ValueError("no list of base metrics in the grammar")
    base = tuple(a.strip() for a in base_m.group(1).split(","))

    s72 = _section(text, "### 7.2")
    exposure = _grid(_table(s72, "EXPOSURE"))
    ease: dict[tuple[str, str, str], int] = {}
    ease_table = _table(s72, "EASE")
    em_codes = [c.split(":")[1] for c in ease_table[0][1:]]
    for row in ease_table[1:]:
        ac, au = (p.split(":")[1] for p in row[0].split(", "))
        for em, cell in zip(em_codes, row[1:], strict=True):
            ease[(ac, au, em)] = int(cell)
    threat = re.search(r"TR:H or RM:([A-Z]) else 0", s72)
    if threat is None:
        raise ValueError("no threat formula in 7.2")

    classes: dict[str, tuple[tuple[int, ...], ...]] = {}
    for table in _tables(_section(text, "### 7.3")):
        width = table[0].index("") if "" in table[0] else len(table[0])
        for offset in range(0, len(table[0]), width + 1):
            hd = table[0][offset].split(":")[1]
            classes[hd] = tuple(tuple(_tenths(c) for c in row[offset + 1: offset + width])
                                for row in table[1:])

    s75 = text[text.index("### 7.5"):text.index("### 7.6")]
    domains = ("L", "M", "S", "C")
    up_codes = values["UP"]
    if "UPLIFT_CAPS" in s75:
        caps_table = _table(s75, "`UPLIFT_CAPS`")
        columns = [c.split(":")[1] for c in caps_table[0][1:]]
        uplift = {row[0].split(":")[1]: {up: _tenths(c) for up, c in zip(columns, row[1:], strict=True)}
                  for row in caps_table[1:]}
    else:  # JSS 1.0: "If UP is set to N ... the score is 3.9"
        m = re.search(r"the score is\s+\*\*(\d+\.\d)\*\*", s75)
        if m is None:
            raise ValueError("no zero-uplift cap in 7.5")
        uplift = {hd: {up: (_tenths(m.group(1)) if up == "N" else 100) for up in up_codes} for hd in domains}

    s74 = _section(text, "### 7.4")
    span = re.search(r"REFINEMENT_SPAN = (\d+)/(\d+)", s74)
    floor = re.search(r"its floor is \*\*(\d+)\*\* tenth", s74)
    if span is None or floor is None:
        raise ValueError("no refinement span or lowest floor in 7.4")
    bands = []
    for row in _table(_section(text, "### 7.7"), "rating")[1:]:
        bands.append((_tenths(row[1]), row[0]))
    return Standard(
        version=version, values=values, base=base,
        reach=_grid(_table(s72, "REACH")), capability=_grid(_table(s72, "CAPABILITY")),
        exposure=tuple(exposure[k] for k in sorted(exposure)),
        sb_drop=dict(zip((c.split(":")[1] for c in _table(s72, "SB_DROP")[0][1:]),
                         (int(c) for c in _table(s72, "SB_DROP")[1][1:]), strict=True)),
        access=_grid(_table(s72, "ACCESS")), ease=ease, unfixable=threat.group(1),
        classes=classes, uplift_caps=uplift, span=(int(span.group(1)), int(span.group(2))),
        lowest_floor=int(floor.group(1)), bands=tuple(sorted(bands, reverse=True)),
    )


# --- scoring, written from the prose of section 7 ----------------------------------------------------

def rating(std: Standard, tenths: int) -> str:
    return next(name for low, name in std.bands if tenths >= low)


def score_tenths(std: Standard, codes: dict[str, str]) -> int | None:
    """Score in tenths of a vector given as {abbr: code}; unset optional metrics are absent.
    None when a base metric is unknown (X): the score is withheld."""
    if any(codes[a] == UNKNOWN for a in std.base):
        return None
    v = std.values
    eff = {a: codes.get(a, v[a][-1]) for a in v}
    if eff["HD"] == "N" or eff["UN"] == "N":  # 7.1
        return 0
    reach = std.reach[eff["UN"]][v["RL"].index(eff["RL"])]
    capability = std.capability[eff["FI"]][v["UP"].index(eff["UP"])]
    exposure = max(1, std.exposure[reach - 1][capability - 1] - std.sb_drop[eff["SB"]])
    access = std.access[eff["AR"]][v["DX"].index(eff["DX"])]
    bump = 1 if (eff["TR"] == "H" or eff["RM"] == std.unfixable) else 0
    threat = min(3, min(access, std.ease[(eff["AC"], eff["AU"], eff["EM"])]) + bump)
    hd = eff["HD"]
    domains = ("L", "M", "S", "C")

    def cls(h: str, e: int, t: int) -> int:
        return std.classes[h][e - 1][t - 1]

    top = cls(hd, exposure, threat)
    neighbours = []
    if hd != "L":
        neighbours.append(cls(domains[domains.index(hd) - 1], exposure, threat))
    if exposure > 1:
        neighbours.append(cls(hd, exposure - 1, threat))
    if threat > 1:
        neighbours.append(cls(hd, exposure, threat - 1))
    floor = max(neighbours) if neighbours else std.lowest_floor
    steps = sum(len(c) - 1 for c in v.values())
    short = sum(len(v[a]) - 1 - v[a].index(eff[a]) for a in v)
    # score = top - (top - floor) * (short / steps) * span, rounded half up; with span = p / q, in
    # units of 1 / (q * steps):
    p, q = std.span
    denominator = q * steps
    numerator = top * denominator - (top - floor) * short * p
    tenths = (2 * numerator + denominator) // (2 * denominator)
    return min(tenths, std.uplift_caps[hd][eff["UP"]])  # 7.5


def vector_string(std: Standard, codes: dict[str, str]) -> str:
    return "/".join([std.prefix, *(f"{a}:{codes[a]}" for a in std.values if a in codes)])


def golden_line(std: Standard, codes: dict[str, str]) -> str:
    tenths = score_tenths(std, codes)
    result = "withheld" if tenths is None else f"{tenths / 10:.1f} {rating(std, tenths)}"
    return f"{vector_string(std, codes)} - {result}"


def base_exhaustive_cases(std: Standard) -> list[dict[str, str]]:
    """Every base combination (540) with optional metrics unset, then (2.0 only) the same 540 with UP
    set to each of its values and the others unset, then the same 540 with every optional metric at its
    least severe value."""
    combos = [dict(zip(std.base, c, strict=True)) for c in itertools.product(*(std.values[a] for a in std.base))]
    least = {a: std.values[a][0] for a in std.optional}
    with_up = [] if std.version == "1.0" else [{**c, "UP": up} for up in std.values["UP"] for c in combos]
    return combos + with_up + [{**c, **least} for c in combos]


HEADERS = {
    "1.0": """\
# Golden vectors: exhaustive over the JSS 1.0 base group.
# Provenance: GENERATED by scripts/gen_golden.py from its own re-implementation of the scoring rule
# (written from the documented tables, independent of jailscale.spec.scoring). Do not edit by hand:
# run `.venv/bin/python scripts/gen_golden.py` after a deliberate change to the rule.
# Cases: every HD x UN x FI x RL x SB combination (540) with the optional metrics unset (scored at
# their worst), then the same 540 with every optional metric at its least severe value.
# Format: VECTOR - SCORE RATING
""",
    "2.0": """\
# Golden vectors: exhaustive over the JSS 2.0 base group, and over UP for the graded uplift gate.
# Provenance: GENERATED by scripts/gen_golden.py, which reads the tables of docs/spec/jss-2.0.md
# (sections 3, 7.2, 7.3, 7.4, 7.5, 7.7) and scores with its own re-implementation of section 7;
# independent of jailscale.spec. Do not edit by hand: run `.venv/bin/python scripts/gen_golden.py`.
# Cases: every HD x UN x FI x RL x SB combination (540) with the optional metrics unset (scored at
# their worst); the same 540 with UP set to N, L, M and H in turn (2,160); the same 540 with every
# optional metric at its least severe value.
# Format: VECTOR - SCORE RATING
""",
}
FILES = {"1.0": "base_exhaustive.txt", "2.0": "base_exhaustive_2_0.txt"}


def render(version: str = "1.0") -> str:
    std = read_standard(version)
    return HEADERS[version] + "".join(golden_line(std, c) + "\n" for c in base_exhaustive_cases(std))


def golden_path(version: str = "1.0") -> Path:
    return ROOT / "tests" / "spec" / "golden" / FILES[version]


def main(argv: list[str]) -> int:
    status = 0
    for version in VERSIONS:
        text = render(version)
        path = golden_path(version)
        count = len(base_exhaustive_cases(read_standard(version)))
        if "--check" in argv:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                print(f"{path} is out of date: run scripts/gen_golden.py", file=sys.stderr)
                status = 1
            else:
                print(f"{path}: {count} cases up to date")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {count} cases to {path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
