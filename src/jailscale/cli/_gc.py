"""The garbage collector's settings for one long run, set by the command line (the edge that owns the
process, as it owns the event loop; the library never changes them).

A streamed assessment allocates several container objects per transcript (pydantic models, tuples,
dicts) and frees nearly all of them by reference counting. CPython's cycle collector still walks
every tracked object alive, the run's modules and tables included, each time a generation fills: at
100,000 transcripts that came to about 1.2 s of CPU (19 full collections of ~45 ms each), 6% of the
run (measured with ``gc.callbacks``; see benchmarks/assess_scale.py). So for the run:

- what is alive when it starts (imported modules, the suite, the judge, the store's engine) is moved
  out of the collector's sight (:func:`gc.freeze`): it outlives the run anyway;
- the youngest generation's threshold is raised from 700 to :data:`GEN0_THRESHOLD` allocations, so
  collections are rarer but still happen: a reference cycle made per transcript would be collected,
  and memory stays bounded (the benchmark's peak-memory figures are taken with these settings).

Both are restored when the run ends, also on error.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations of tracked objects between two collections of the youngest generation during a run
#: (CPython's default: 700). Measured with ``gc.callbacks`` on a 100,000-transcript assess into a new
#: SQLite store: with the defaults, 2,276 + 207 + 19 collections (youngest to oldest) took 1.2 s of
#: CPU; with the freeze and 20,000, 89 + 8 + 1 took 0.1 s (100,000: no further gain beyond noise).
GEN0_THRESHOLD = 20_000


@contextmanager
def long_run() -> Iterator[None]:
    """Freeze what is alive and collect the youngest generation less often, for the statements inside."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
