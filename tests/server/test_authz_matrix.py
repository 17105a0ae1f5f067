"""The authorisation matrix (docs/registry/authz-matrix.md): regenerated here, it must show no leak
and no unexpected answer, and match the committed file."""

from __future__ import annotations

import re
from collections.abc import Iterable

from script_loader import load_script


def _api_operations() -> list[str]:
    from jailscale.server.app import create_app
    from jailscale.server.db import Registry

    registry = Registry.__new__(Registry)  # the schema needs no database: the app is only described
    paths = create_app(registry).openapi()["paths"]
    return [f"{method.upper()} {path}" for path, ops in paths.items() for method in ops if path.startswith("/api/")]


def _shape(operations: Iterable[str]) -> set[str]:
    """'GET /api/cases/{case_id}/compare?a=...' and 'GET /api/cases/{case}/compare' alike."""
    return {re.sub(r"\{[^}]*\}", "{}", op.split("?")[0]) for op in operations}


def test_authz_matrix_has_no_leak_and_is_current() -> None:
    matrix = load_script("write_authz_matrix")
    rows, problems = matrix.run()
    assert problems == []
    assert all(len(cells) == 5 for _, cells in rows)
    # every operation of the API (from its OpenAPI schema) is in the matrix, none is forgotten
    assert _shape(f"{ep.method} {ep.path}" for ep, _ in rows) == _shape(_api_operations())
    refused = sum(cells[c][0] in (401, 403, 404) for _, cells in rows for c in cells)
    assert refused > 60  # most cells are refusals: the matrix tests access, not only the happy path
    assert matrix.render(rows, problems) == matrix.OUT.read_text(encoding="utf-8"), \
        "docs/registry/authz-matrix.md is out of date: run scripts/write_authz_matrix.py"
