"""Write the JSON Schemas of jailscale's file formats to docs/schema/ from the pydantic models.

Each schema is ``Model.model_json_schema()`` with ``$schema`` (JSON Schema draft 2020-12) and a
``$id``. ``tests/formats/test_schemas.py`` checks the committed files equal what this script
writes, so a model change without a schema update fails the tests.

Usage::

    .venv/bin/python scripts/write_schemas.py           # rewrite docs/schema/*.schema.json
    .venv/bin/python scripts/write_schemas.py --check   # exit 1 if a file on disk differs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from jailscale.formats import Assessment, BaselineSet, Submission, Suite, Transcript, Verdict
from jailscale.formats.conformance import ConformanceCase
from jailscale.formats.lines import SubmissionLinesHeader
from jailscale.formats.signed import SignedAssessment
from jailscale.runner.plan import RunPlan

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"
MODELS: dict[str, type[BaseModel]] = {
    "suite": Suite,
    "submission": Submission,
    "assessment": Assessment,
    "verdict": Verdict,
    "transcript": Transcript,
    "baselines": BaselineSet,
    "plan": RunPlan,
    "conformance": ConformanceCase,
    "signed": SignedAssessment,
    "submission-lines": SubmissionLinesHeader,
}


def schema_id(name: str) -> str:
    """A stable identifier; a URN until the schemas have a published address."""
    return f"urn:jailscale:schema:{name}:1"


def schema(name: str) -> dict[str, Any]:
    body = MODELS[name].model_json_schema()
    return {"$schema": DRAFT, "$id": schema_id(name), **body}


def render(name: str) -> str:
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def path_of(name: str) -> Path:
    return SCHEMA_DIR / f"{name}.schema.json"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in MODELS:
        text, path = render(name), path_of(name)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("out of date (run scripts/write_schemas.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
