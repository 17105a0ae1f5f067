"""Reading format files with errors that name the file, the field and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import UserError

M = TypeVar("M", bound=BaseModel)


def read_utf8(path: Path, missing_hint: str = "", directory_hint: str = "give a file") -> str:
    """A file's text decoded as UTF-8 (a byte-order mark is allowed); every failure is a UserError
    that names the file and says what to do."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"'{path}' does not exist{missing_hint}") from None
    except IsADirectoryError:
        raise UserError(f"'{path}' is a directory; {directory_hint}") from None
    except OSError as e:
        raise UserError(f"cannot read '{path}': {e.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise UserError(f"'{path}' is not UTF-8 text (byte 0x{raw[e.start]:02x} on line {line}); "
                        "re-save it as UTF-8") from None


def read_data(path: Path) -> Any:
    """Parse a JSON or YAML file (by extension; YAML also reads JSON)."""
    text = read_utf8(path)
    if not text.strip():
        raise UserError(f"'{path}' is empty")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as e:
        truncated = e.msg.startswith("Unterminated") or e.pos >= len(text.rstrip()) - 1
        raise UserError(f"'{path}' is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
                        + ("; the file looks truncated" if truncated else "")) from None
    except yaml.YAMLError as e:
        raise UserError(f"'{path}' is not valid YAML: {str(e).splitlines()[0]}") from None


def describe(e: ValidationError, limit: int = 5) -> str:
    """Pydantic errors as 'field.path: message' items."""
    items = []
    for err in e.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (got {str(value)[:60]!r})"
        items.append(f"{loc}: {msg}{shown}")
    more = len(e.errors()) - limit
    return "; ".join(items) + (f"; and {more} more" if more > 0 else "")


def validate(model: type[M], data: Any, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise UserError(f"{source}: not a valid {model.__name__}: {describe(e)}") from None


def read_model(model: type[M], path: Path) -> M:
    return validate(model, read_data(path), str(path))
