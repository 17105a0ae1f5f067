"""Load on the registry: `jailscale serve` in its own process on 127.0.0.1, driven by a bounded
closed-loop load (a fixed number of client threads, a fixed number of requests), on SQLite and on
PostgreSQL. Prints throughput and p50/p99 latency for reads and for writes, per backend, side by side.

    .venv/bin/python benchmarks/registry_load.py [--clients 8] [--reads 600] [--writes 200]

Reads alternate GET /api/cases/{id} (the case page's data: assessments, actions, notes, matches)
and GET /api/cases (the list); writes alternate POST /api/cases/{id}/notes (one row and an audit
entry) and POST /api/cases (a 186-transcript submission with its MinHash signature and audit entry).
PostgreSQL is used when JAILSCALE_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
answers; each run gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jailscale.server.db import Registry
from jailscale.server.seed import add_member, example_submission

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pg_url() -> Iterator[str | None]:
    base = os.environ.get("JAILSCALE_TEST_POSTGRES_URL") or PG_DEFAULT
    schema = f"jailscale_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(base, connect_args={"connect_timeout": 5})
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:
        print(f"PostgreSQL not reachable ({type(e).__name__}); SQLite only")
        yield None
        return
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def served(url: str) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jailscale.cli.main", "serve", "--db", url, "--port", str(port),
                             "--token-rate", "10000000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the registry did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def drive(n: int, clients: int, one: Callable[[httpx.Client, int], None]) -> tuple[float, list[float]]:
    """``n`` requests by ``clients`` threads (closed loop): wall time and each request's latency."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        with httpx.Client(timeout=120) as c:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                one(c, i)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies


def _q(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[p - 1] if len(xs) > 1 else xs[0]


def bench(url: str, label: str, clients: int, reads: int, writes: int) -> list[dict[str, Any]]:
    reg = Registry.open(url)
    with reg.session(write=True) as s:
        token = add_member(s, "Bench", "bench-assessor", "assessor")
    reg.close()
    hdr = {"Authorization": f"Bearer {token}"}
    sub = example_submission().model_dump(mode="json")
    rows = []
    with served(url) as base:
        cases = [httpx.post(f"{base}/api/cases", json={"submission": {**sub, "id": f"seed-{i}"}}, headers=hdr,
                            timeout=120).json()["case"]["id"] for i in range(20)]

        def read(c: httpx.Client, i: int) -> None:
            path = f"/api/cases/{cases[i % len(cases)]}" if i % 2 == 0 else "/api/cases"
            r = c.get(base + path, headers=hdr)
            assert r.status_code == 200, r.text

        def write(c: httpx.Client, i: int) -> None:
            if i % 2 == 0:
                r = c.post(f"{base}/api/cases/{cases[i % len(cases)]}/notes", json={"text": f"note {i}"}, headers=hdr)
            else:
                r = c.post(f"{base}/api/cases", json={"submission": {**sub, "id": f"w-{i}"}}, headers=hdr)
            assert r.status_code == 201, r.text

        for kind, n, fn in (("read", reads, read), ("write", writes, write)):
            wall, lat = drive(n, clients, fn)
            rows.append({"backend": label, "kind": kind, "requests": n, "clients": clients, "rps": n / wall,
                         "p50_ms": 1000 * _q(lat, 50), "p99_ms": 1000 * _q(lat, 99)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--reads", type=int, default=600)
    ap.add_argument("--writes", type=int, default=200)
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "sqlite", args.clients, args.reads, args.writes)
    with pg_url() as url:
        if url:
            rows += bench(url, "postgresql", args.clients, args.reads, args.writes)
    print(f"{'backend':<11} {'kind':<6} {'requests':>8} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r['backend']:<11} {r['kind']:<6} {r['requests']:>8} {r['clients']:>7} {r['rps']:>8.1f} "
              f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")


if __name__ == "__main__":
    main()
