"""Client overhead of the live runner against a minimal bare aiohttp client, side by side.

The stub server (``jailscale.testkit.stub``) runs in its own process on 127.0.0.1 and answers at
once. In this process, the same N requests (default 5,000, concurrency 64) go out twice:

- **bare**: plain aiohttp, one session, 64 workers, POST the chat body, parse the JSON, nothing else;
- **jailscale**: ``runner.live.collect`` on a plan of N items (N/2 behaviours x baseline and
  jailbreak), with the response cache and the journal on (both written to a temporary folder).

Client CPU seconds (user + system of this process, from getrusage) per 1,000 requests and wall time
are printed for both, with their ratios (issue 10 target: at most 2x). The bare client runs first
and again last, and the ratio uses the mean of its two runs, so warm-up and machine noise fall on
both sides.

Then a 100,000-request plan runs as ``jailscale run`` in a child process against the stub, and the
child's peak resident memory is printed (target: under 300 MB).

    .venv/bin/python benchmarks/runner_overhead.py [--n 5000] [--concurrency 64] [--big 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from jailscale.formats import Behaviour, Submission, Suite
from jailscale.formats.io import read_model
from jailscale.runner.demo import demo_path
from jailscale.runner.live import RunOptions, collect
from jailscale.runner.plan import RunPlan, TargetSpec
from jailscale.targets import Sampling


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def start_stub() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "jailscale.testkit.stub", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"the stub did not start: {url!r}")
    return proc, url


def suite_of(n: int) -> Suite:
    return Suite(name="bench", behaviours=[Behaviour(id=f"b{i:06d}", request=f"PLACEHOLDER neutral request {i}",
                                                     category="bench", tier="L") for i in range(n)])


def plan_for(suite: Suite, url: str) -> RunPlan:
    sub = read_model(Submission, demo_path())
    return RunPlan(submission=sub.model_copy(update={"evidence": []}), suite="bench", suite_hash=suite.content_hash,
                   target=TargetSpec(address="openai/stub", options={"base_url": url}),
                   sampling=Sampling(max_tokens=64))


async def bare(url: str, n: int, concurrency: int) -> int:
    """The floor: plain aiohttp, parse the JSON, nothing else."""
    ok = 0
    todo = iter(range(n))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def worker() -> None:
            nonlocal ok
            for i in todo:
                body = {"model": "stub", "messages": [{"role": "user", "content": f"PLACEHOLDER neutral request {i}"}],
                        "temperature": 0.0, "max_tokens": 64}
                async with session.post(url + "/chat/completions", json=body) as resp:
                    data = await resp.json()
                ok += bool(data["choices"][0]["message"]["content"])

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok


def measure(label: str, fn: object) -> tuple[float, float]:
    c0, w0 = cpu(), time.perf_counter()
    done = asyncio.run(fn)  # type: ignore[arg-type]
    c1, w1 = cpu(), time.perf_counter()
    print(f"  {label:<28} {c1 - c0:7.2f} s CPU  {w1 - w0:7.2f} s wall  ({done})", flush=True)
    return c1 - c0, w1 - w0


def overhead(url: str, n: int, concurrency: int) -> None:
    print(f"== {n} requests, concurrency {concurrency}, stub in its own process")
    suite = suite_of(n // 2)
    plan = plan_for(suite, url)
    b1 = measure("bare aiohttp (1st)", bare(url, n, concurrency))
    with tempfile.TemporaryDirectory() as tmp:
        opts = RunOptions(concurrency=concurrency, cache=Path(tmp) / "cache.jsonl")

        async def ours() -> str:
            r = await collect(plan, suite, Path(tmp) / "run", opts)
            assert r.recorded == n and r.errors == 0, r
            return f"{r.recorded} recorded, cache + journal on"

        j = measure("jailscale collect", ours())
    b2 = measure("bare aiohttp (2nd)", bare(url, n, concurrency))
    bc, bw = (b1[0] + b2[0]) / 2, (b1[1] + b2[1]) / 2
    print(f"  client CPU per 1,000 requests: bare {1000 * bc / n:.3f} s, jailscale {1000 * j[0] / n:.3f} s")
    print(f"  ratio CPU {j[0] / bc:.2f}x, wall {j[1] / bw:.2f}x  (target <= 2x)")


def peak_rss(url: str, big: int, tmp: Path) -> None:
    print(f"== peak resident memory of 'jailscale run' on a {big}-request plan")
    suite = suite_of(big // 2)
    suite_path = tmp / "suite.json"
    suite_path.write_text(suite.model_dump_json(), encoding="utf-8")
    sub = read_model(Submission, demo_path())
    sub_path = tmp / "technique.json"
    sub_path.write_text(json.dumps(sub.model_dump(mode="json", exclude={"evidence"})), encoding="utf-8")
    cmd = [str(Path(sys.executable).with_name("jailscale")), "run", str(sub_path), "--suite", str(suite_path),
           "--target", "openai/stub", "-T", f"base_url={url}", "--max-tokens", "64", "--concurrency", "64",
           "--out", str(tmp / "run"), "--cache", str(tmp / "cache.jsonl"), "-q"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "JAILSCALE_HOME": str(tmp / "home")})
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"jailscale run failed: {err.strip()[-400:]}")
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"  {out.strip().splitlines()[0]}")
    print(f"  wall {time.perf_counter() - t0:.1f} s; peak RSS {rss_kb / 1024:.0f} MB  (target < 300 MB)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--big", type=int, default=100_000, help="requests in the memory run (0 to skip)")
    args = p.parse_args()
    stub, url = start_stub()
    try:
        overhead(url, args.n, args.concurrency)
        if args.big:
            with tempfile.TemporaryDirectory() as tmp:
                peak_rss(url, args.big, Path(tmp))
    finally:
        stub.terminate()
        stub.wait(10)


if __name__ == "__main__":
    main()
