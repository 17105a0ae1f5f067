"""Audit the locked dependencies (requirements-dev.lock) for known vulnerabilities, and say plainly
when the audit could not be done.

pip-audit looks each pinned release up in an advisory service: PyPI's JSON API (``-s pypi``) or OSV
(``-s osv``). When the service cannot be reached, pip-audit skips the package ("Dependency not found
on PyPI and could not be audited") and still prints "No known vulnerabilities found". This script
reads pip-audit's JSON instead: a package that was skipped was not audited, and unless every package
was audited by some service, it prints that the audit was NOT done, never that there are no
vulnerabilities.

Usage (CI runs it; pip-audit lives in its own virtual environment so its dependencies do not mix with
the project's)::

    python3 -m venv .audit-venv && .audit-venv/bin/pip install -q 'pip-audit>=2.7,<3'
    .audit-venv/bin/python scripts/audit_deps.py [requirements-dev.lock]

Exit 0: audited, no known vulnerabilities; or NOT done (printed as such). Exit 1: vulnerabilities
found. Exit 2: pip-audit missing or the lock file unreadable.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("pypi", "osv")
TIMEOUT_S = 600


def run(lock: Path, service: str) -> tuple[dict[str, dict[str, object]], str]:
    """pip-audit's per-package results for ``service`` (name -> entry), or ({}, reason) on failure."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        try:
            p = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(lock), "--no-deps", "--disable-pip",
                                "-s", service, "-f", "json", "-o", out.name, "--progress-spinner", "off"],
                               capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return {}, f"{service}: no answer in {TIMEOUT_S} s"
        text = Path(out.name).read_text(encoding="utf-8") if Path(out.name).stat().st_size else ""
    if not text:
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, f"{service}: {last[:200]}"
    deps = json.loads(text).get("dependencies", [])
    return {d["name"]: d for d in deps}, ""


def main(argv: list[str]) -> int:
    lock = Path(argv[0] if argv else "requirements-dev.lock")
    if not lock.is_file():
        print(f"dependency audit NOT done: {lock} does not exist")
        return 2
    try:
        import pip_audit  # noqa: F401
    except ImportError:
        print("dependency audit NOT done: pip-audit is not installed (pip install 'pip-audit>=2.7,<3')")
        return 2
    names = [line.split("==")[0].strip().lower() for line in lock.read_text(encoding="utf-8").splitlines()
             if "==" in line and not line.lstrip().startswith("#")]
    audited: dict[str, dict[str, object]] = {}
    reasons = []
    for service in SERVICES:
        results, reason = run(lock, service)
        if reason:
            reasons.append(reason)
        for name, entry in results.items():
            if "skip_reason" not in entry:
                audited.setdefault(name.lower(), {**entry, "service": service})
        skipped = [n for n, e in results.items() if "skip_reason" in e]
        if skipped:
            reasons.append(f"{service}: {len(skipped)} package(s) could not be looked up "
                           f"(e.g. {results[skipped[0]]['skip_reason']})")
        if all(n in audited for n in names):
            break
    vulnerable = {n: e for n, e in audited.items() if e.get("vulns")}
    for name, entry in sorted(vulnerable.items()):
        ids = ", ".join(str(v.get("id")) for v in entry["vulns"])  # type: ignore[attr-defined]
        print(f"VULNERABLE {name} {entry.get('version')}: {ids}")
    missing = [n for n in names if n not in audited]
    if vulnerable:
        print(f"dependency audit: {len(vulnerable)} of {len(names)} locked packages have known vulnerabilities")
        return 1
    if missing:
        print(f"dependency audit NOT done: {len(missing)} of {len(names)} locked packages could not be checked "
              f"against any advisory service ({'; '.join(reasons) or 'no answer'}). This is not a clean result: "
              "run scripts/audit_deps.py where PyPI's JSON API or api.osv.dev is reachable.")
        return 0
    services = sorted({str(e["service"]) for e in audited.values()})
    print(f"dependency audit done: {len(names)} locked packages checked against {', '.join(services)}; "
          "no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
