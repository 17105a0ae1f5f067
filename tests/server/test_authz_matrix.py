"""The authorisation matrix (docs/registry/authz-matrix.md): regenerated here, it must show no leak
and no unexpected answer, and match the committed file."""

from __future__ import annotations

from script_loader import load_script


def test_authz_matrix_has_no_leak_and_is_current() -> None:
    matrix = load_script("write_authz_matrix")
    rows, problems = matrix.run()
    assert problems == []
    assert len(rows) >= 25 and all(len(cells) == 5 for _, cells in rows)
    refused = sum(cells[c][0] in (401, 403, 404) for _, cells in rows for c in cells)
    assert refused > 60  # most cells are refusals: the matrix tests access, not only the happy path
    assert matrix.render(rows, problems) == matrix.OUT.read_text(encoding="utf-8"), \
        "docs/registry/authz-matrix.md is out of date: run scripts/write_authz_matrix.py"
