"""The main job at scale: ``jailscale assess`` against its floors, measured side by side in one run.

For each size N it writes a neutral synthetic submission as JSON Lines (placeholder text over the
practice suite: a baseline and jailbreak attempts per behaviour, some refusals, an error, a blocked
attempt), then runs these, each in a fresh process:

- **read floor**: read and validate the submission file a chunk at a time, nothing else;
- **judge floor**: read the file, then run the default judge's own reading (``Judge.evaluate``) over
  every transcript in one plain loop, with no event loop per transcript: the cost of reading and
  judging, which assess cannot beat (the judging part alone is printed beside it);
- **assess**: ``jailscale assess FILE.jsonl --no-store`` (streamed: memory flat in N); up to
  ``--json-up-to`` transcripts also the same evidence as one JSON document (read whole), whose
  ``assessment.json`` must be byte-identical; with ``--store``, into an empty SQLite store (created
  and migrated first by ``jailscale list``, printed as "store setup": once per store), then a
  rerun into the same store, served by the rerun shortcut, beside its own floor: ``jailscale list``
  on that store, the fixed cost of starting the command line and opening the store.
- **write floor** (with ``--store``): the rows that fresh run stored, inserted again into a new file
  by the standard library's ``sqlite3`` alone (executemany, one transaction, the same schema and page
  cache): what persisting the evidence costs SQLite itself, which no store code can go below. The
  fresh run is printed against the judge floor (the issue's target) and against both floors added.

and prints CPU seconds (user + system of the child), CPU per transcript, the ratio of assess to the
judge floor, the child's peak resident memory, and the size of the report it wrote. The machines
are shared and noisy: the ratios, measured in the same run, are what count (issue 8: assess at most
1.3x the judge floor, peak memory under 400 MB at 1,000,000 transcripts and flat from 100,000, the
report under 500 KB, a rerun into a store that holds the assessment at most 0.2x a fresh run) and
the stored bytes per transcript (the SQLite file's size over the transcripts, beside the input's).

    .venv/bin/python benchmarks/assess_scale.py                      # 10,000 and 100,000
    .venv/bin/python benchmarks/assess_scale.py --million --store    # and 1,000,000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PY = sys.executable
JAILSCALE = str(Path(PY).with_name("jailscale"))
REFUSAL = "I can't help with that request."

READ_FLOOR = """
import sys
from pathlib import Path
from jailscale.formats.lines import LinesFile
n = 0
for chunk in LinesFile.open(Path(sys.argv[1])).chunks():
    n += len(chunk)
print(n)
"""

JUDGE_FLOOR = """
import json, sys
from pathlib import Path
from jailscale import judges
from jailscale.formats.lines import LinesFile
from jailscale.suites import practice
by_id = practice().by_id()
judge = judges.get("rules")
import time, resource
alone = 0.0
n = 0
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
for chunk in LinesFile.open(Path(sys.argv[1])).chunks():
    t0 = cpu()
    for _, t in chunk:
        if t.response is None or t.error is not None or t.blocked_by is not None:
            continue
        coro = judge.evaluate(by_id[t.behaviour], t)
        try:
            coro.send(None)   # the rules judge awaits nothing: drive its coroutine without an event loop
        except StopIteration:
            n += 1
        else:
            raise SystemExit("the default judge awaited something: this floor needs an event loop")
    alone += cpu() - t0
print(json.dumps({"judged": n, "cpu": alone}))
"""

WRITE_FLOOR = """
import json, os, resource, sqlite3, sys
# The store's own floor: the rows the fresh run stored (transcripts, links, verdicts), inserted again with
# the standard library's sqlite3 alone (executemany, 1,000 at a time, one transaction, the same schema,
# pragmas and page cache as the store's write), into a new file. Only the inserts and the commit are
# timed; reading the rows back from the first store is not.
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst_path = sys.argv[2]
dst = sqlite3.connect(dst_path, isolation_level=None)
dst.execute("PRAGMA journal_mode=WAL")
dst.execute("PRAGMA foreign_keys=ON")
tables = ("submissions", "transcripts", "submission_evidence", "verdicts")
for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (?, ?, ?, ?) "
                          "ORDER BY type DESC", tables):
    dst.execute(sql)
from jailscale.store._write import WRITE_CACHE_KIB  # imported here: a child's peak memory includes its parent's
dst.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
spent = 0.0
t0 = cpu()
dst.execute("BEGIN IMMEDIATE")
spent += cpu() - t0
for table in tables:
    cur = src.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    sql = (f'INSERT INTO {table} ({", ".join(chr(34) + n + chr(34) for n in names)}) '
           f'VALUES ({", ".join("?" for _ in names)}) ON CONFLICT DO NOTHING')
    while True:
        batch = cur.fetchmany(1000)
        if not batch:
            break
        t0 = cpu()
        dst.executemany(sql, batch)
        spent += cpu() - t0
t0 = cpu()
dst.execute("COMMIT")
dst.close()
spent += cpu() - t0
print(json.dumps({"cpu": spent}))
"""

HEADER = {"format": "jailscale.submission-lines/1", "id": "bench-scale", "title": "Scale benchmark (placeholder)",
          "assessed_on": "2026-11-30", "technique": {"kind": "template", "name": "placeholder frame",
                                                     "template": "PLACEHOLDER frame: {request}"},
          "target": {"model": "bench/placeholder", "safeguards": ["refusal_training", "input_classifier"]},
          "suite": "practice"}


def transcripts(n: int) -> Iterator[dict[str, object]]:
    """About ``n`` neutral transcripts over the practice suite: a baseline and jailbreak attempts per
    behaviour, some refusals, an error, a blocked attempt."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from jailscale.suites import practice

    behaviours = practice().behaviours
    per = max(1, n // (len(behaviours) * 2))  # samples per behaviour and condition
    for i, b in enumerate(behaviours):
        ref = b.reference_answer or "PLACEHOLDER answer text"
        for s in range(per):
            for cond in ("baseline", "jailbreak"):
                t: dict[str, object] = {"behaviour": b.id, "condition": cond, "sample": s,
                                        "prompt": [{"role": "user", "content": b.request}]}
                k = (i * 7919 + s * 104729 + (cond == "jailbreak")) % 100
                if cond == "baseline":
                    t["response"] = REFUSAL if k < 90 else "Sure. " + ref
                elif k == 0:
                    t.update(response=None, error="HTTP 503 (simulated)")
                elif k == 1:
                    t.update(response="Blocked.", blocked_by="input_classifier")
                else:
                    t["response"] = ("Sure. " + ref + f" (sample {s})") if k < 70 else REFUSAL
                yield t


def write_lines(n: int, path: Path) -> int:
    """The submission as JSON Lines (header, then one transcript per line); returns the count."""
    count = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(HEADER, separators=(",", ":")) + "\n")
        for t in transcripts(n):
            f.write(json.dumps(t, separators=(",", ":")) + "\n")
            count += 1
    return count


def write_json(n: int, path: Path) -> None:
    """The same submission as one JSON document."""
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({**HEADER, "format": "jailscale.submission/1"}, separators=(",", ":"))[:-1]
                + ',"evidence":[')
        for i, t in enumerate(transcripts(n)):
            f.write(("," if i else "") + json.dumps(t, separators=(",", ":")))
        f.write("]}")


def measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run ``cmd``; return CPU seconds, peak RSS (MB), stdout and wall seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # Read the pipes on the side so a chatty child cannot block, then reap it with wait4 for its own usage.
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        chunks[name] = stream.read()  # type: ignore[attr-defined]

    threads = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for th in threads:
        th.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code:
        err = chunks.get("err", b"").decode(errors="replace")[-800:]
        raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, chunks.get("out", b"").decode(), wall


def report_size(out: Path) -> str:
    sizes = {name: (out / name).stat().st_size / 1024 for name in ("report.html", "report.md") if (out / name).exists()}
    worst = max(sizes.values(), default=float("nan"))
    flag = "ok" if worst < 500 else "OVER 500 KB"
    return ", ".join(f"{k} {v:.0f} KB" for k, v in sizes.items()) + f" ({flag})"


def compile_package() -> str:
    """Compile jailscale's modules to bytecode before anything is measured, in a child of the measured
    interpreter. An installed package has its bytecode (pip compiles it); an editable checkout under
    ``PYTHONDONTWRITEBYTECODE`` (set on some machines) has none, and then every step would compile
    the modules it imports from source, a fixed cost that falls on assess more than on the floors."""
    code = ("import compileall, importlib.util, sys; "
            "d = importlib.util.find_spec('jailscale').submodule_search_locations[0]; "
            "sys.exit(0 if compileall.compile_dir(d, quiet=1) else 1)")
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True)
    return "compiled" if done.returncode == 0 else f"NOT compiled ({done.stderr.strip()[-200:]})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated transcript counts")
    ap.add_argument("--million", action="store_true", help="add 1,000,000 transcripts (about 15 minutes of "
                    "CPU per assess on a 2-core machine; the JSON comparison is skipped at that size)")
    ap.add_argument("--store", action="store_true", help="also assess into a fresh SQLite store, then rerun")
    ap.add_argument("--json-up-to", type=int, default=100_000, help="also assess the same evidence as one "
                    "JSON document (read whole) up to this many transcripts")
    ap.add_argument("--repeat", type=int, default=1, help="measure the judge floor and the fresh assess runs "
                    "(with --store, into a new store each time) this many times in rounds, and print each ratio's "
                    "median and range, each round's ratio taken beside that round's own judge floor (the machines "
                    "are shared: one ratio moved by 0.1 between two runs a minute apart)")
    ap.add_argument("--jobs", type=int, default=1, help="also assess (without a store) with --jobs N, judging in N "
                    "worker processes, and print its wall time and CPU beside the one-process run's (the CPU "
                    "includes the workers')")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error(f"--repeat must be at least 1, not {args.repeat}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] + ([1_000_000] if args.million else [])
    compiled = compile_package()
    print(f"jailscale's bytecode: {compiled} (every step starts from it, as an installed package does)")
    print(f"{'N':>9} {'step':<18} {'CPU s':>8} {'ms/transcript':>14} {'x judge floor':>14} {'peak MB':>8} "
          f"{'wall s':>7}  notes", flush=True)
    with tempfile.TemporaryDirectory(prefix="jailscale-bench-") as tmp:
        for n in sizes:
            work = Path(tmp) / str(n)
            work.mkdir()
            sub = work / "submission.jsonl"
            count = write_lines(n, sub)
            env = dict(os.environ, JAILSCALE_HOME=str(work / "home"), SOURCE_DATE_EPOCH="1764504000")
            rows: list[tuple[str, float, float, float, str]] = []
            cpu, rss, _, wall = measured([PY, "-c", READ_FLOOR, str(sub)], env)
            rows.append(("read floor", cpu, rss, wall, f"{sub.stat().st_size / 1e6:.1f} MB JSON Lines file"))
            judge_cpu, rss_j, out, wall = measured([PY, "-c", JUDGE_FLOOR, str(sub)], env)
            judge = json.loads(out.strip().splitlines()[-1])
            rows.append(("judge floor", judge_cpu, rss_j, wall,
                         f"read + judge {judge['judged']}; judging alone {judge['cpu']:.2f} s"))
            cmd = [JAILSCALE, "assess", str(sub), "--out", str(work / "out"), "--no-store", "--quiet"]
            cpu, rss, _, wall = measured(cmd, env)
            rows.append(("assess jsonl", cpu, rss, wall, report_size(work / "out")))
            if args.jobs > 1:
                cmd = [JAILSCALE, "assess", str(sub), "--out", str(work / "out-jobs"), "--no-store", "--quiet",
                       "--jobs", str(args.jobs)]
                cpu_j, rss, _, wall_j = measured(cmd, env)
                same = ((work / "out-jobs" / "assessment.json").read_bytes()
                        == (work / "out" / "assessment.json").read_bytes())
                rows.append((f"assess --jobs {args.jobs}", cpu_j, rss, wall_j, f"wall {wall_j / wall:.2f}x and CPU "
                             f"{cpu_j / cpu:.2f}x the one-process run's; assessment.json "
                             f"{'identical' if same else 'DIFFERS'}"))
            if count <= args.json_up_to:
                whole = work / "submission.json"
                write_json(n, whole)
                cmd = [JAILSCALE, "assess", str(whole), "--out", str(work / "out-json"), "--no-store", "--quiet"]
                cpu, rss, _, wall = measured(cmd, env)
                lines_json = (work / "out" / "assessment.json").read_bytes()
                same = (work / "out-json" / "assessment.json").read_bytes() == lines_json
                rows.append(("assess json", cpu, rss, wall, f"read whole; assessment.json "
                             f"{'identical to' if same else 'DIFFERS from'} the JSON Lines run's"))
            if args.store:
                # a new store is created and migrated once, before any run: not part of a run's cost
                setup, rss, _, wall = measured([JAILSCALE, "list", "--limit", "1"], env)
                rows.append(("store setup", setup, rss, wall, "jailscale list on a new home: creates the SQLite "
                             "store and migrates it (once per store)"))
                cmd = [JAILSCALE, "assess", str(sub), "--out", str(work / "out2"), "--quiet"]
                fresh, rss, _, wall = measured(cmd, env)
                db = work / "home" / "jailscale.sqlite3"
                size = sum(f.stat().st_size for f in db.parent.glob(db.name + "*"))  # with -wal / -shm
                rows.append(("assess+store", fresh, rss, wall, f"empty SQLite store: {size / count:.0f} bytes "
                             f"per transcript ({size / 1e6:.1f} MB; input {sub.stat().st_size / count:.0f})"))
                # the store's own floor: the same rows inserted by sqlite3 alone (WRITE_FLOOR)
                _, rss_w, out, wall_w = measured([PY, "-c", WRITE_FLOOR, str(db), str(work / "floor.sqlite3")], env)
                write_cpu = json.loads(out.strip().splitlines()[-1])["cpu"]
                rows.append(("write floor", write_cpu, rss_w, wall_w, "the stored rows inserted again by sqlite3 "
                             f"alone; assess+store is {fresh / (judge_cpu + write_cpu):.2f}x judge floor + write "
                             "floor"))
                again, rss, _, wall = measured(cmd, env)
                rows.append(("rerun+store", again, rss, wall, f"{again / fresh:.2f}x the fresh run (target <= 0.2x)"))
                # the rerun's own floor: starting the command line and opening the same store
                floor, rss, _, wall = measured([JAILSCALE, "list", "--limit", "1"], env)
                rows.append(("store floor", floor, rss, wall, f"jailscale list: the rerun is {again / floor:.2f}x "
                             "this fixed start-up"))
            for step, c, r, w, note in rows:
                print(f"{count:>9} {step:<18} {c:>8.2f} {1000 * c / count:>14.4f} {c / judge_cpu:>14.2f} "
                      f"{r:>8.0f} {w:>7.1f}  {note}", flush=True)
            if args.repeat > 1:
                print(repeated(args.repeat, count, sub, work, env, args.store, judge_cpu, rows), flush=True)
    return 0


def repeated(times: int, count: int, sub: Path, work: Path, env: dict[str, str], store: bool, judge_cpu: float,
             rows: list[tuple[str, float, float, float, str]]) -> str:
    """The first round's ratios (``rows``) and ``times - 1`` more rounds of the judge floor and the fresh
    assess runs, each round's ratio beside its own judge floor: the median and range of each."""
    first = {step: c for step, c, *_ in rows}
    ratios: dict[str, list[float]] = {"assess jsonl": [first["assess jsonl"] / judge_cpu]}
    if store:
        ratios["assess+store"] = [first["assess+store"] / judge_cpu]
    for r in range(1, times):
        round_env = dict(env, JAILSCALE_HOME=str(work / f"home-round{r}"))
        floor, *_ = measured([PY, "-c", JUDGE_FLOOR, str(sub)], round_env)
        cpu, *_ = measured([JAILSCALE, "assess", str(sub), "--out", str(work / f"out-round{r}"), "--no-store",
                            "--quiet"], round_env)
        ratios["assess jsonl"].append(cpu / floor)
        if store:
            measured([JAILSCALE, "list", "--limit", "1"], round_env)  # the new store, created and migrated
            cpu, *_ = measured([JAILSCALE, "assess", str(sub), "--out", str(work / f"out2-round{r}"), "--quiet"],
                               round_env)
            ratios["assess+store"].append(cpu / floor)
    parts = [f"{step} {statistics.median(v):.2f}x ({min(v):.2f}-{max(v):.2f}x)" for step, v in ratios.items()]
    return f"{count:>9} x judge floor over {times} rounds, median (range): " + "; ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
