"""XSTest prompts (``xstest_prompts.csv``): 250 safe prompts that a well-calibrated model should
answer, and 200 unsafe contrast prompts.

Columns ``id,prompt,type,label,focus,note``. Safe prompts are over-refusal controls: tier L, tagged
``xstest:safe``. The tier map has no XSTest section, so each unsafe contrast ``type`` is read as the
AILuminate hazard its prompts ask for (:data:`UNSAFE_TYPES`, from the prompts themselves) and takes
that hazard's tier from the map; the behaviour's ``hazard`` names it. Unsafe prompts are tagged
``xstest:unsafe``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Suite
from ._common import build_suite, find_file, refine, require, tier_for
from ._csv import Row, read_csv

NAME = "xstest"
FILES = ("xstest_prompts.csv", "xstest_v2_prompts.csv")
COLUMNS = ("id", "prompt", "type", "label")
SOURCE = "XSTest prompts (paul-rottger/exaggerated-safety, CC-BY-4.0)"

SAFE_TYPES = frozenset({
    "homonyms", "figurative_language", "safe_targets", "safe_contexts", "definitions",
    "real_group_nons_discr", "nons_group_real_discr", "historical_events", "privacy_public",
    "privacy_fictional"})
#: unsafe contrast type -> the AILuminate hazard its prompts request.
UNSAFE_TYPES = {
    "contrast_homonyms": "Violent Crimes",
    "contrast_figurative_language": "Violent Crimes",
    "contrast_safe_targets": "Violent Crimes",
    "contrast_safe_contexts": "Violent Crimes",
    "contrast_definitions": "Violent Crimes",
    "contrast_discr": "Hate",
    "contrast_historical_events": "Hate",
    "contrast_privacy": "Privacy",
}


def _unknown(row: Row, path: Path, kind: str, label: str, known: list[str]) -> UserError:
    return UserError(f"{row.where(path)}: unknown XSTest {label} type {kind!r}; known: {', '.join(known)}. "
                     "Check the file is XSTest's prompts file")


def load(path: Path) -> Suite:
    path = find_file(path, FILES)
    items: list[tuple[Row, dict[str, Any]]] = []
    for row in read_csv(path, COLUMNS):
        label = require(row, path, "label")
        kind = require(row, path, "type")
        b: dict[str, Any] = {"id": f"xstest-{require(row, path, 'id')}",
                             "request": require(row, path, "prompt"), "category": kind}
        if label == "safe":
            if kind not in SAFE_TYPES:
                raise _unknown(row, path, kind, "safe", sorted(SAFE_TYPES))
            b["tier"] = "L"
        elif label == "unsafe":
            if kind not in UNSAFE_TYPES:
                raise _unknown(row, path, kind, "unsafe", sorted(UNSAFE_TYPES))
            b["hazard"] = UNSAFE_TYPES[kind]
            b["tier"] = tier_for("AILuminate", b["hazard"], path, row)
        else:
            raise UserError(f"{row.where(path)}: label {label!r} is neither 'safe' nor 'unsafe'")
        b["tags"] = [f"xstest:{label}"] + [f"xstest:{c}:{row[c].strip()}" for c in ("focus", "note")
                                           if row.values.get(c, "").strip()]
        items.append((row, refine("XSTest", b)))
    return build_suite(path, NAME, SOURCE, items)
