"""Rate limits across workers: in memory (the default) each process counts on its own; with a shared
storage (Redis) two processes serving one registry hold one limit between them. Redis is at
$JAILSCALE_TEST_REDIS_URL (default redis://127.0.0.1:6379/0); unreachable, the Redis tests skip with
the reason, except under CI=true (.ci/run starts it), where they fail."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jailscale.cli.main import app as cli
from jailscale.errors import EnvironmentFault, UserError
from jailscale.server.app import create_app
from jailscale.server.auth import Limits, RateLimiter
from registry_kit import Kit

REDIS_ENV = "JAILSCALE_TEST_REDIS_URL"
LIMITS = Limits(logins=1000, bad_tokens=3, per_token=4)


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV) or "redis://127.0.0.1:6379/0"
    try:
        RateLimiter(LIMITS, url, key_prefix="jailscale-test-probe")
    except (EnvironmentFault, UserError) as e:
        reason = f"Redis not usable at {url} (set {REDIS_ENV}; pip install 'jailscale[redis]'): {e}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires Redis: {reason}")
        pytest.skip(reason)
    return url


def _workers(kit: Kit, storage: str) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps over one registry, as two worker processes would be: each its own limiter object;
    with a shared storage they share one key space (a fresh prefix per test: other runs on the same
    Redis never mix in)."""
    prefix = f"jailscale-test-{uuid.uuid4().hex[:12]}"
    apps = [create_app(kit.registry, LIMITS) for _ in range(2)]
    for a in apps:
        a.state.jailscale.limiter = RateLimiter(LIMITS, storage, key_prefix=prefix)
    with TestClient(apps[0], raise_server_exceptions=False) as one, \
            TestClient(apps[1], raise_server_exceptions=False) as two:
        yield one, two


def _alternate(pair: tuple[TestClient, TestClient], headers: dict[str, str], n: int) -> list[int]:
    return [pair[i % 2].get("/api/me", headers=headers).status_code for i in range(n)]


def test_memory_limits_are_per_process(sqlite_kit: Kit) -> None:
    for pair in _workers(sqlite_kit, "memory://"):
        # 8 requests, 4 to each worker: each allows its own 4 a minute, so none is refused
        assert _alternate(pair, sqlite_kit.auth("lab-admin"), 8) == [200] * 8
        assert pair[0].app.state.jailscale.limiter.shared is False  # type: ignore[attr-defined]


def test_shared_limits_hold_across_workers(sqlite_kit: Kit, redis_url: str) -> None:
    for pair in _workers(sqlite_kit, redis_url):
        assert _alternate(pair, sqlite_kit.auth("lab-admin"), 6) == [200, 200, 200, 200, 429, 429]
        r = pair[1].get("/api/me", headers=sqlite_kit.auth("lab-admin"))
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and r.headers["retry-after"]
        # another token has its own budget; failed tokens from one address are counted together
        assert pair[0].get("/api/me", headers=sqlite_kit.auth("gov-admin")).status_code == 200
        bad = _alternate(pair, {"Authorization": "Bearer jss_wrong"}, 5)
        assert bad == [401, 401, 401, 429, 429]


def test_shared_storage_failing_while_serving_is_a_503(sqlite_kit: Kit, redis_url: str) -> None:
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    for pair in _workers(sqlite_kit, redis_url):
        assert pair[0].get("/api/me", headers=sqlite_kit.auth("lab-admin")).status_code == 200
        limiter = pair[0].app.state.jailscale.limiter  # type: ignore[attr-defined]
        # the storage goes away (here: its client now points at a port nobody listens on)
        limiter._limiter = MovingWindowRateLimiter(storage_from_string("redis://127.0.0.1:1/0"))
        r = pair[0].get("/api/me", headers=sqlite_kit.auth("lab-admin"))
        assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable", r.text
        assert "127.0.0.1:1" not in r.text


@pytest.mark.parametrize(("storage", "code", "says"), [
    ("nosuch://x", 2, "cannot use rate-limit storage 'nosuch://x'"),
    ("redis://:s3cret@127.0.0.1:1/0", 3, "cannot reach the rate-limit storage at 'redis://:***@127.0.0.1:1/0'"),
])
def test_serve_refuses_an_unusable_storage(storage: str, code: int, says: str, tmp_path: object,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("redis", reason="the redis extra is not installed")
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path))
    r = CliRunner().invoke(cli, ["serve", "--port", "0", "--rate-limit-storage", storage])
    assert r.exit_code == code, r.output
    assert says in r.output and "s3cret" not in r.output and r.output.count("\n") == 1
