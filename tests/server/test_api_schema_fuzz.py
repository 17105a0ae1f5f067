"""Property-based API tests generated from the OpenAPI schema (schemathesis strategies driven by
hypothesis, in process through the ASGI app, offline): with an admin's token, on a registry that holds
a case, no generated request to any operation gets a 5xx, and every answer of 400 or more has the
registry's error shape."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from registry_kit import GENEROUS, Kit

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the dev extra")

from jailscale.server.app import create_app  # noqa: E402
from jailscale.server.seed import example_submission  # noqa: E402

EXAMPLES = 15


def _fuzz(op: Any, headers: dict[str, str], failures: list[str], seen: Counter[int]) -> Any:
    @given(case=op.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{op.method.upper()} {op.path}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400:
            body = response.json()
            if set(body) != {"error"} or body["error"]["status"] != response.status_code:
                failures.append(f"{op.method.upper()} {op.path}: error not in the registry's shape: "
                                f"{response.text[:200]}")

    return run


def test_no_generated_request_gets_a_server_error(sqlite_kit: Kit) -> None:
    app = create_app(sqlite_kit.registry, GENEROUS)
    headers = sqlite_kit.auth("lab-admin")
    from fastapi.testclient import TestClient

    with TestClient(app) as c:  # one real case, so generated ids sit beside real ones
        c.post("/api/cases", json={"submission": example_submission().model_dump(mode="json")}, headers=headers)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures: list[str] = []
    seen: Counter[int] = Counter()
    for op in operations:
        _fuzz(op, headers, failures, seen)()
    assert failures == []
    assert sum(seen.values()) >= 3 * len(operations)  # it did send requests
    assert any(200 <= code < 300 for code in seen) and any(400 <= code < 500 for code in seen), seen
