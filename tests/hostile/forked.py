"""Run the jailscale CLI in child processes forked from one process that has imported it once
(multiprocessing's fork server), for the always-on concurrency and crash tests.

A fresh interpreter per run spends about 3 s of CPU on imports on a loaded two-core machine: most of
what the old eight-process tests cost. A forked child is a real process all the same (its own
database connections, file locks and kernel-released locks when it dies), so the races are the
real ones. Two gates make them happen every time instead of by luck of scheduling:

- ``start``: every child waits until all have been forked, then all begin at once (concurrent first
  use of an empty store: eight migrations at the same instant);
- ``store``: every child waits just before its store write (:data:`STORE_WRITES`) until all have reached it
  (eight writers at the same instant).

A child can also SIGKILL itself at a chosen point (:class:`Kill`): just before the k-th call of an
instrumented step of the store write or the report write (:data:`STEPS`), halfway through writing a
result file, or after a delay measured from the start of the store write (which lands inside the
database's own C code, where no Python step can).
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_SERVER_ENV = "_HOSTILE_FORK_SERVER"
#: Imported once by the fork server; ``forked`` itself then warms it up (:func:`_warm_up`).
PRELOAD = ["jailscale.cli.main", "jailscale.runner.assess", "jailscale.store", "sqlalchemy.dialects.sqlite",
           "sqlalchemy.dialects.postgresql", "alembic.command", "forked"]
_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(PRELOAD)
_COMMAND: Any = None


def _warm_up() -> None:
    """In the fork server: build the CLI's command once and run one small assessment into a throw-away
    store, so that what every run fills in on first use (the suite, calibrations, templates, mappers)
    is filled in once and inherited by every child. The children's own work is all still theirs."""
    global _COMMAND
    import io
    import tempfile

    import typer.main

    from jailscale.cli.main import app
    from jailscale.runner.demo import demo_path

    _COMMAND = typer.main.get_command(app)
    saved = dict(os.environ)
    try:
        with tempfile.TemporaryDirectory() as d, contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            os.environ.pop("JAILSCALE_DATABASE_URL", None)
            os.environ["JAILSCALE_HOME"] = d
            with contextlib.suppress(SystemExit):
                _COMMAND.main(["assess", str(demo_path()), "--quiet", "--out", f"{d}/out"], prog_name="jailscale")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert threading.active_count() == 1, "the warm-up left a thread running: forking would copy it"


if os.environ.get(_SERVER_ENV) == "1":  # imported by the fork server (PRELOAD)
    _warm_up()


def _ensure_server() -> None:
    """Start the fork server (once) with this folder on its path, so it can preload this module."""
    from multiprocessing import forkserver

    saved = dict(os.environ)
    os.environ[_SERVER_ENV] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), saved.get("PYTHONPATH", "")) if p)
    try:
        forkserver.ensure_running()
    finally:
        os.environ.clear()
        os.environ.update(saved)


#: The instrumented steps, in the order a run meets them: every statement that changes the store
#: (each insert batch), the commit, then every step of writing the results (each result file, each
#: fsync, the hard links that carry the user's files over, the swap, the removal of the old folder).
STEPS = {
    "store.begin": ("jailscale.store._write", "has_assessment"),
    "store.insert": ("jailscale.store._write", "_insert_new"),
    "store.commit": ("sqlalchemy.orm.session", "SessionTransaction.commit"),
    "report.write": ("jailscale.runner.output", "_write_new"),
    "report.fsync": ("os", "fsync"),
    "report.link": ("os", "link"),
    "report.exchange": ("jailscale.runner.output", "_exchange"),
    "report.rename": ("os", "rename"),
    "report.rmtree": ("shutil", "rmtree"),
}


@dataclass(frozen=True)
class Kill:
    """Where a child SIGKILLs itself: before call ``index`` (0-based, counted over all
    :data:`STEPS` from the start of the store write) when ``half`` is False; halfway through the
    file that call writes when ``half`` is True (a ``report.write`` step); or, when ``delay`` is set,
    that many seconds after the store write begins."""

    index: int = -1
    half: bool = False
    delay: float | None = None


@dataclass
class Job:
    args: list[str]
    cwd: Path
    env: dict[str, str]
    kill: Kill | None = None
    trace: Path | None = None  # where the child writes the steps it met (with their times)
    stdout: Path = field(init=False)
    stderr: Path = field(init=False)

    def __post_init__(self) -> None:
        stamp = time.monotonic_ns()
        self.stdout = self.cwd / f"child-{stamp}.out"
        self.stderr = self.cwd / f"child-{stamp}.err"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def _resolve(module: str, dotted: str) -> tuple[Any, str]:
    obj: Any = sys.modules[module] if module in sys.modules else __import__(module, fromlist=["_"])
    *owners, name = dotted.split(".")
    for o in owners:
        obj = getattr(obj, o)
    return obj, name


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _instrument(kill: Kill | None) -> list[tuple[str, float]]:
    """Wrap the :data:`STEPS` (in this child only); counting starts when the store write begins. Returns
    the list the steps met are appended to (name, seconds from the start of the store write)."""

    state = {"on": False, "n": 0, "t0": 0.0}
    met: list[tuple[str, float]] = []

    def wrap(step: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            if state["on"]:
                i = state["n"]
                state["n"] = i + 1
                met.append((step, time.monotonic() - state["t0"]))
                if kill is not None and kill.delay is None and i == kill.index:
                    if kill.half and step == "report.write":
                        path, text = a[0], a[1]
                        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                        os.write(fd, text[: len(text) // 2].encode("utf-8"))
                        os.fsync(fd)
                    _die()
            return fn(*a, **kw)
        return wrapper

    for step, (module, dotted) in STEPS.items():
        owner, name = _resolve(module, dotted)
        setattr(owner, name, wrap(step, getattr(owner, name)))

    def begin() -> None:
        state["on"], state["t0"] = True, time.monotonic()
        if kill is not None and kill.delay is not None:
            timer = threading.Timer(kill.delay, _die)
            timer.daemon = True
            timer.start()

    _before_store_write(begin)
    return met


#: The store's write entry points: a whole submission, or one streamed from its spool.
STORE_WRITES = ("save_assessment", "save_streamed")


def _before_store_write(hook: Callable[[], None]) -> None:
    """Call ``hook`` when a store write begins (whichever entry point the run uses)."""
    from jailscale.store import Store

    for name in STORE_WRITES:
        save = getattr(Store, name, None)
        if save is None:
            continue

        def hooked(self: Any, *a: Any, _save: Any = save, **kw: Any) -> Any:
            hook()
            return _save(self, *a, **kw)

        setattr(Store, name, functools.wraps(save)(hooked))


def _gate_store(barrier: Any, reached: Any) -> None:
    def wait() -> None:
        with reached.get_lock():
            reached.value += 1
        with contextlib.suppress(threading.BrokenBarrierError):  # a child that failed earlier: go on
            barrier.wait(timeout=120)

    _before_store_write(wait)


def _child(job: Job, start: Any, store_gate: Any, reached: Any) -> None:
    """In the forked child: the job's folder and environment, its output to files, the gates and
    the kill point, then the CLI."""
    os.chdir(job.cwd)
    os.environ.clear()
    os.environ.update(job.env)
    for fd, path in ((1, job.stdout), (2, job.stderr)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(f, fd)
        os.close(f)
    if store_gate is not None:
        _gate_store(store_gate, reached)
    met = _instrument(job.kill) if job.kill is not None or job.trace is not None else []
    if start is not None:
        start.wait(timeout=120)
    code = 0
    try:
        if _COMMAND is not None:  # built by the fork server
            _COMMAND.main(args=job.args, prog_name="jailscale")
        else:
            from jailscale.cli.main import app

            app(args=job.args, prog_name="jailscale")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    if job.trace is not None:  # every step to the end of the run (the rerun record after the reports too)
        job.trace.write_text(json.dumps(met), encoding="utf-8")
    os._exit(code)


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without a database URL (unless ``extra`` gives one), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "JAILSCALE_DATABASE_URL"}
    return {**env, **extra}


@contextlib.contextmanager
def _started(jobs: Sequence[Job], together: bool, gate_store: bool) -> Iterator[tuple[list[Any], Any]]:
    _ensure_server()
    start = _CTX.Event() if together else None
    barrier = _CTX.Barrier(len(jobs)) if gate_store else None
    reached = _CTX.Value("i", 0)
    procs = [_CTX.Process(target=_child, args=(job, start, barrier, reached), daemon=True) for job in jobs]
    try:
        for p in procs:
            p.start()
        if start is not None:
            start.set()
        yield procs, reached
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join(10)


def run_jobs(jobs: Sequence[Job], *, together: bool = False, gate_store: bool = False,
             timeout: float = 600) -> list[Result]:
    """Run ``jobs`` at once, each in its own forked child; their exit codes and output."""
    with _started(jobs, together, gate_store) as (procs, reached):
        deadline = time.monotonic() + timeout
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
        alive = [p.pid for p in procs if p.is_alive()]
        assert not alive, f"children still running after {timeout} s: {alive}"
        codes = [int(p.exitcode) for p in procs]
        if gate_store and not any(codes):  # every child wrote through the gate, not around it
            assert reached.value == len(jobs), f"{reached.value} of {len(jobs)} children met the store gate"
    results = [Result(code, job.stdout.read_text(errors="replace"), job.stderr.read_text(errors="replace"))
               for code, job in zip(codes, jobs, strict=True)]
    for job in jobs:
        job.stdout.unlink(missing_ok=True)
        job.stderr.unlink(missing_ok=True)
    return results


def copy_tree(src: Path, dst: Path) -> None:
    """``dst`` becomes a copy of ``src`` (links kept as links)."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)
