"""`jailscale serve` as its own process on PostgreSQL: when its database is dropped while it runs
(connections terminated, the database gone), every API answer is a 503 in the one error shape, the
health check says so, and the process stays up to answer."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jailscale.server.db import Registry
from registry_kit import free_port, populate


@pytest.fixture
def own_database(pg_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own (not a schema: the test drops the whole database)."""
    name = f"jailscale_serve_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_dropped_database_while_serving_is_a_503(own_database: str, pg_url: str) -> None:
    registry = Registry.open(own_database)
    try:
        token = populate(registry, password=None).tokens["lab-admin"]
    finally:
        registry.close()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jailscale.cli.main", "serve", "--db", own_database,
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    hdr = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the registry did not start"
            time.sleep(0.2)
        assert httpx.get(f"{base}/api/cases", headers=hdr, timeout=30).status_code == 200
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{make_url(own_database).database}" WITH (FORCE)'))
        admin.dispose()
        for method, path in (("GET", "/api/cases"), ("GET", "/api/me"), ("POST", "/api/cases"), ("GET", "/healthz")):
            r = httpx.request(method, base + path, headers=hdr, json={}, timeout=30)
            assert r.status_code == 503, (path, r.text)
            err = r.json()["error"]
            assert r.json() == {"error": {"status": 503, "code": "unavailable", "message": err["message"]}}
            assert "database" in err["message"] and "jailscale_serve_" not in r.text
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
