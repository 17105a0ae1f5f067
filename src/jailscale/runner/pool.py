"""Judging in several processes: ``jailscale assess --jobs N`` for a CPU-bound judge.

The rules judge is pure CPU (about 0.1 ms a transcript here, three quarters of a fresh assessment
without a store: ``benchmarks/assess_scale.py``), so one process uses one core. With ``--jobs N``
the run starts N worker processes, each with its own judge built from the same name and options
(``judges.get``) and the suite's behaviours; the
main process goes on reading, hashing, looking up stored verdicts, tallying and spooling, and sends
each chunk's transcripts still to be judged to the pool. Chunks are taken back in the order they were
read, so the tallies, the sample, the evidence root, the spool and therefore the assessment and its
outputs are the same bytes as with one process (a test holds this); at most ``2 * N`` chunks are in
flight, so memory stays bounded whatever the number of transcripts.

Workers are started with ``spawn``, not ``fork``: the main process may hold an open database
connection, a progress thread and an event loop, none of which a forked child may touch safely. Each
worker pays the import of the judge once (a few tenths of a second). Pickled transcripts go out and
pickled verdicts come back: this adds CPU in all (a few percent of the judging), and takes wall time off
on a machine with free cores.

Only a CPU-bound judge can be pooled (``Judge.cpu_bound``): a judge that waits on a model behind an
API already overlaps its calls on one event loop (its own ``concurrency``). A worker that dies (killed,
out of memory) stops the run as an :class:`EnvironmentFault` naming the cause; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import EnvironmentFault, UserError

if TYPE_CHECKING:  # concurrent.futures is imported when a pool is made (it brings logging and threading)
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..formats import Behaviour, Suite, Transcript, Verdict
    from ..judges import Judge

MAX_JOBS = 256
"""The most worker processes ``--jobs`` may ask for."""

#: A worker's judge and the suite's behaviours by id, set once by :func:`_start`.
_WORKER: tuple[Judge, dict[str, Behaviour]] | None = None


def _start(judge_name: str, judge_options: Mapping[str, str], suite: Suite) -> None:
    """A worker's initialiser: build its judge and index the behaviours, once."""
    global _WORKER
    from .. import judges

    _WORKER = (judges.get(judge_name, **dict(judge_options)), suite.by_id())


def _judge(items: list[tuple[str, Transcript]]) -> list[Verdict]:
    """In a worker: judge (behaviour id, transcript) pairs in order."""
    assert _WORKER is not None, "worker not initialised"
    judge, by_id = _WORKER
    return judge.judge_batch([(by_id[b], t) for b, t in items])


def check_jobs(jobs: int, judge: Judge) -> None:
    """``jobs`` is a usable number of judging processes for ``judge``; UserError otherwise."""
    if not 1 <= jobs <= MAX_JOBS:
        raise UserError(f"--jobs {jobs}: give a number of judging processes from 1 to {MAX_JOBS}")
    if jobs > 1 and not judge.cpu_bound:
        raise UserError(f"--jobs {jobs}: judge '{judge.name}' waits on a model rather than computing, so it "
                        "cannot be spread over processes; run it without --jobs (a model judge overlaps its "
                        "calls itself)")


class JudgingPool:
    """``jobs`` worker processes judging with ``judge_name`` and ``judge_options`` over ``suite``."""

    def __init__(self, judge_name: str, judge_options: Mapping[str, str], suite: Suite, jobs: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
            initargs=(judge_name, dict(judge_options), suite))

    def __enter__(self) -> JudgingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, items: list[tuple[str, Transcript]]) -> Future[list[Verdict]]:
        """Judge (behaviour id, transcript) pairs in a worker; the verdicts come in their order."""
        if self._pool is None:
            raise RuntimeError("the judging pool is closed")
        if not items:
            from concurrent.futures import Future

            done: Future[list[Verdict]] = Future()
            done.set_result([])
            return done
        return self._pool.submit(_judge, items)

    @staticmethod
    def result(future: Future[list[Verdict]]) -> list[Verdict]:
        """The verdicts of a submitted batch; a worker that died is an EnvironmentFault."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool as e:
            raise EnvironmentFault(f"a judging process ended without answering ({e}); it may have been killed "
                                   "or run out of memory: run again, with fewer --jobs or without") from e

    def close(self) -> None:
        """Stop the workers; batches not yet taken are cancelled (after an error, say)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def pool_for(judge: Judge, judge_name: str, judge_options: Mapping[str, str] | None, suite: Suite,
             jobs: int) -> JudgingPool | None:
    """A :class:`JudgingPool` for ``jobs`` > 1 (checked by :func:`check_jobs`), else None."""
    check_jobs(jobs, judge)
    if jobs == 1:
        return None
    return JudgingPool(judge_name, dict(judge_options or {}), suite, jobs)
