"""What the dataset loaders share: the tier map, ids, and turning rows into a checked Suite."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from ..formats import Suite, Tier
from ..formats.io import validate
from ._csv import Row

TIER_MAP_FILE = "tier_map.yaml"
REFINEMENTS_FILE = "tier_refinements.yaml"
TIERS: tuple[Tier, ...] = ("L", "M", "S", "C")


@cache
def tier_map() -> dict[str, dict[str, dict[str, str]]]:
    """source -> category -> {tier, reason}, from the bundled ``tier_map.yaml``: a byte-for-byte copy
    of the spec's ``docs/spec/tier-map.yaml`` (a test keeps them equal)."""
    text = resources.files(__package__).joinpath(TIER_MAP_FILE).read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    for source, cats in data.items():
        for cat, entry in cats.items():
            if entry.get("tier") not in TIERS or not entry.get("reason"):
                raise RuntimeError(f"{TIER_MAP_FILE}: {source}/{cat} needs a tier in {TIERS} and a reason")
    return data  # type: ignore[no-any-return]


def tier_for(source: str, category: str, path: Path, row: Row) -> Tier:
    """The JSS tier of ``category`` in ``source``; an unlisted category is the user's error."""
    cats = tier_map()[source]
    entry = cats.get(category)
    if entry is None:
        raise UserError(f"{row.where(path)}: unknown {source} category {category!r}; known: "
                        f"{', '.join(sorted(cats))}. Check the file is the {source} dataset; a new "
                        "category needs an entry in the JSS tier map (docs/spec/tier-map.yaml)")
    tier: Tier = entry["tier"]  # type: ignore[assignment]
    return tier


@cache
def refinements() -> dict[str, Any]:
    """The bundled tier audit (``tier_refinements.yaml``): ``clauses`` (source -> category -> clause),
    ``overrides`` (source -> behaviour id -> {tier, clause, reason}) and ``reviewed`` (source -> id ->
    reason). Checked on load: every override names a tier, a clause and a reason."""
    text = resources.files(__package__).joinpath(REFINEMENTS_FILE).read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    for source, entries in data["overrides"].items():
        for bid, entry in entries.items():
            if entry.get("tier") not in TIERS or not entry.get("reason") or not entry.get("clause"):
                raise RuntimeError(f"{REFINEMENTS_FILE}: {source}/{bid} needs a tier in {TIERS}, a clause "
                                   "and a reason")
    return data  # type: ignore[no-any-return]


def refine(source: str, behaviour: dict[str, Any]) -> dict[str, Any]:
    """Apply the bundled per-behaviour refinement of ``source`` (JSS 4.2) to ``behaviour`` (a dict with
    ``id`` and ``tier``, the category's tier): raise its tier and record why in ``tier_reason``.

    4.2 rule 2: a refinement never lowers a behaviour below its category's tier; a bundled entry that
    would is a packaging defect (RuntimeError), not the user's error. An entry that leaves the tier as it
    is only records its clause."""
    entry = refinements()["overrides"].get(source, {}).get(behaviour["id"])
    if entry is None:
        return behaviour
    old, new = behaviour["tier"], entry["tier"]
    if TIERS.index(new) < TIERS.index(old):
        raise RuntimeError(f"{REFINEMENTS_FILE}: {source}/{behaviour['id']} would lower tier {old} to {new}; "
                           "JSS 4.2 only raises")
    change = f"raised from {old} to {new}" if new != old else f"kept at {new}"
    return {**behaviour, "tier": new, "tier_reason": f"{change} (JSS {entry['clause']}): {entry['reason']}"}


def slug(text: str) -> str:
    """Lower case, runs of anything but letters and digits become one '-': 'Human  trafficking'
    and 'Human trafficking' both give 'human-trafficking'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_sha256(path: Path) -> str:
    from ..formats.io import read_bytes

    return "sha256:" + hashlib.sha256(read_bytes(path)).hexdigest()


def require(row: Row, path: Path, column: str) -> str:
    value = row[column].strip()
    if not value:
        raise UserError(f"{row.where(path)}: column {column!r} is empty; every row needs a value")
    return value


def build_suite(path: Path, name: str, source: str, items: list[tuple[Row, dict[str, Any]]]) -> Suite:
    """Check ids are unique (naming both rows) and validate the behaviours as a Suite."""
    first: dict[str, Row] = {}
    for row, b in items:
        seen = first.setdefault(b["id"], row)
        if seen is not row:
            raise UserError(f"'{path}' has duplicate behaviour id {b['id']!r} in row {seen.number} "
                            f"(line {seen.line}) and row {row.number} (line {row.line}); "
                            "ids must be unique: remove or rename one")
    data = {"name": name, "source": f"{source}; file {path.name} {file_sha256(path)}",
            "behaviours": [b for _, b in items]}
    return validate(Suite, data, str(path))


def find_file(path: Path, names: tuple[str, ...]) -> Path:
    """``path`` itself, or the first of ``names`` inside it when ``path`` is a directory."""
    if not path.is_dir():
        return path
    for n in names:
        if (path / n).is_file():
            return path / n
    raise UserError(f"'{path}' is a directory without {' or '.join(names)}; give the CSV file")
