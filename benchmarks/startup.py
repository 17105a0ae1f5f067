"""Start-up cost of the command line against the cost of importing the calculator alone.

Each command runs in a fresh process, several times, interleaved so that the shared machine's noise
falls on all of them alike; the figure is the median CPU time (user + system) of the child process.
The ratio to ``python -c "import jailscale.spec"`` in the same run is what counts (issue target: at
most 3x for ``jailscale score VECTOR`` and ``jailscale --help``).

    .venv/bin/python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

PY = sys.executable
JAILSCALE = str(Path(PY).with_name("jailscale"))
VECTOR = "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A/UP:M"  # 1.0 vectors parse under every later version

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    "import jailscale.spec": [PY, "-c", "import jailscale.spec"],
    "jailscale score VECTOR": [JAILSCALE, "score", VECTOR],
    "jailscale --help": [JAILSCALE, "--help"],
}


def child_cpu(cmd: list[str]) -> float:
    """CPU seconds (user + system) of one run of ``cmd`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy(),
                          check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace').strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs per command (median reported)")
    args = ap.parse_args()
    if not Path(JAILSCALE).exists():
        raise SystemExit(f"no jailscale console script beside {PY}; install the package first")
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, cmd in COMMANDS.items():
            runs[name].append(child_cpu(cmd))
    floor = statistics.median(runs["import jailscale.spec"])
    print(f"{'command':<26} {'median CPU s':>12} {'x import jailscale.spec':>24}")
    for name, values in runs.items():
        med = statistics.median(values)
        print(f"{name:<26} {med:>12.3f} {med / floor:>24.2f}")
    worst = max(statistics.median(runs[n]) for n in ("jailscale score VECTOR", "jailscale --help")) / floor
    print(f"\nworst CLI ratio: {worst:.2f}x (target <= 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
