"""What every file format shares: strict models and canonical content hashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A strict model: unknown fields are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no insignificant white space: the input of every content hash."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_of(data: Any) -> str:
    """``sha256:`` and the hex digest of the canonical JSON of ``data``."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
