"""Outside review of JSON Lines submissions through ``jailscale assess``: the same evidence as JSON
Lines and as JSON gives the same vector and range; reordered lines change nothing; omitted lines never
lower a top or a value; a duplicated line is refused, never counted twice. The bundled neutral demo
evidence, judged by the shipped offline judge; nothing stored."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.formats import Submission
from jailscale.formats.io import read_model
from jailscale.runner.demo import demo_path
from jailscale.spec import RATINGS

FORMAT = "jailscale.submission-lines/1"


def _lines(data: dict[str, Any], evidence: list[dict[str, Any]], path: Path) -> Path:
    header = {k: v for k, v in data.items() if k not in ("evidence", "format")}
    header["format"] = FORMAT
    path.write_text("\n".join(json.dumps(x) for x in [header, *evidence]) + "\n", encoding="utf-8")
    return path


def _assess(path: Path, out: Path) -> tuple[int, str, dict[str, Any] | None]:
    r = CliRunner().invoke(app, ["assess", str(path), "--no-store", "--json", "-q", "--out", str(out),
                                 "--created-at", "2026-11-30T12:00:00Z"])
    return r.exit_code, r.output, json.loads(r.stdout) if r.exit_code == 0 else None


def _summary(a: dict[str, Any]) -> tuple[Any, ...]:
    return (a["vector"], a["score"], [(m["abbr"], m["value"], m["low"], m["high"]) for m in a["metrics"]])


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = read_model(Submission, demo_path()).model_dump(mode="json", exclude_none=True)
    code, out, a = _assess(demo_path(), tmp_path / "json")
    assert code == 0, out
    return {"data": data, "json": a, "dir": tmp_path}


def test_jsonl_and_json_give_the_same_assessment_and_reordering_changes_nothing(demo: dict[str, Any]) -> None:
    data, tmp = demo["data"], demo["dir"]
    code, out, a = _assess(_lines(data, data["evidence"], tmp / "same.jsonl"), tmp / "o1")
    assert code == 0, out
    assert a is not None and _summary(a) == _summary(demo["json"]) and a["id"] == demo["json"]["id"]
    shuffled = list(data["evidence"])
    random.Random(7).shuffle(shuffled)
    code, out, b = _assess(_lines(data, shuffled, tmp / "shuffled.jsonl"), tmp / "o2")
    assert code == 0, out
    assert b is not None and _summary(b) == _summary(demo["json"])


def test_a_duplicated_line_is_refused_not_counted_twice(demo: dict[str, Any]) -> None:
    data, tmp = demo["data"], demo["dir"]
    ev = data["evidence"]
    code, out, _ = _assess(_lines(data, [*ev, ev[3]], tmp / "dup.jsonl"), tmp / "o")
    assert code == 2 and "Traceback" not in out and len(out.strip().splitlines()) == 1, out


def _rank(rating: str | None) -> int:
    return -1 if rating is None else RATINGS.index(rating)


@pytest.mark.parametrize("drop", ["failed jailbreak attempts", "baseline lines", "reference lines",
                                  "every line of one behaviour"])
def test_omitted_lines_never_lower_a_top_or_the_score(demo: dict[str, Any], drop: str) -> None:
    data, tmp, full = demo["data"], demo["dir"], demo["json"]
    ev = data["evidence"]

    import asyncio

    from jailscale.formats import Transcript
    from jailscale.judges import get
    from jailscale.suites import practice

    judge, behaviours = get("rules"), {b.id: b for b in practice().behaviours}

    def answered(t: dict[str, Any]) -> bool:  # what the run's judge (the default, rules) says
        v = asyncio.run(judge.judge(behaviours[t["behaviour"]], Transcript.model_validate(t)))
        return v.label != "refused"  # complied, or anything not a determinate failure: kept

    if drop == "failed jailbreak attempts":
        kept = [t for i, t in enumerate(ev) if not (t["condition"] == "jailbreak" and not answered(t) and i % 2)]
    elif drop == "baseline lines":
        kept = [t for i, t in enumerate(ev) if not (t["condition"] == "baseline" and i % 2)]
    elif drop == "reference lines":
        kept = [t for t in ev if t["condition"] != "reference"]
    else:
        first = next(t["behaviour"] for t in ev if t["condition"] == "jailbreak" and not answered(t))
        kept = [t for t in ev if t["behaviour"] != first]
    assert len(kept) < len(ev)
    code, out, a = _assess(_lines(data, kept, tmp / "less.jsonl"), tmp / "o")
    assert code == 0, out
    assert a is not None
    assert a["score"]["high"] >= full["score"]["high"], (drop, a["score"], full["score"])
    assert _rank(a["score"]["rating_high"]) >= _rank(full["score"]["rating_high"])
    if full["score"]["value"] is not None and a["score"]["value"] is not None:
        assert a["score"]["value"] >= full["score"]["value"], (drop, a["score"], full["score"])
