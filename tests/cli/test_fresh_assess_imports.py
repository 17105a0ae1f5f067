"""A fresh ``jailscale assess --no-store`` with the default (CPU-bound) judge imports no event loop:
asyncio (with ssl and concurrent.futures behind it, 20 ms of start-up) is imported by the verbs and
judges that run one, when they run. (With a store, SQLAlchemy imports asyncio itself.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import contextlib, io, json, sys
from jailscale.cli import main
sys.argv = ["jailscale", *json.loads(sys.argv[1])]
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    try:
        main.run()
    except SystemExit as e:
        code = e.code
    else:
        code = 0
print(json.dumps([code, sorted(m for m in ("asyncio", "ssl") if m in sys.modules), out.getvalue()[-2000:]]))
"""


def test_a_fresh_assess_with_the_rules_judge_imports_no_event_loop(tmp_path: Path) -> None:
    from jailscale.runner.demo import demo_path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAILSCALE_", "SOURCE_DATE_EPOCH"))}
    env["JAILSCALE_HOME"] = str(tmp_path / "home")
    sub = tmp_path / "sub.yaml"
    sub.write_bytes(demo_path().read_bytes())
    argv = ["assess", str(sub), "--out", str(tmp_path / "out"), "--quiet", "--no-store"]
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True,
                          timeout=300, check=True, cwd=tmp_path, env=env)
    code, loaded, output = json.loads(done.stdout)
    assert code == 0, output
    assert (tmp_path / "out" / "assessment.json").is_file()
    assert loaded == [], f"a fresh assess imported {loaded}"
