"""JSON Lines submissions: the same evidence as JSON gives the same assessment, the same outputs and the
same stored rows; the streaming parts (evidence root, submission key, report sample) equal what the
whole-list forms compute."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from jailscale.formats import Submission, sha256_of
from jailscale.formats.lines import LINES_FORMAT, LinesFile
from jailscale.report.people import MAX_PER_GROUP, EvidenceSample
from jailscale.runner import assess as assess_mod
from jailscale.runner.assess import Evidence, assess
from jailscale.runner.demo import demo_inputs
from jailscale.runner.digests import EvidenceRoot, SubmissionKey
from jailscale.store import Store, _write
from jailscale.store._write import submission_key


def write_lines(sub: Submission, path: Path, blank_every: int = 0) -> Path:
    head = sub.model_dump(mode="json", exclude={"evidence"})
    head["format"] = LINES_FORMAT
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(head) + "\n")
        for i, t in enumerate(sub.evidence):
            f.write(json.dumps(t.model_dump(mode="json")) + "\n")
            if blank_every and i % blank_every == 0:
                f.write("\n")
    return path


def test_lines_file_reads_back_the_submission(tmp_path: Path) -> None:
    sub, _ = demo_inputs()
    lf = LinesFile.open(write_lines(sub, tmp_path / "s.jsonl", blank_every=17))
    assert lf.header.content_hash == sub.content_hash
    got = [t for chunk in lf.chunks(10) for _, t in chunk]
    assert got == sub.evidence
    assert [t for chunk in lf.chunks(1000) for _, t in chunk] == got  # readable again, any chunk size
    numbers = [n for chunk in lf.chunks(10) for n, _ in chunk]
    assert numbers[0] == 2 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("chunk", [7, 2000])
def test_lines_and_json_give_the_same_assessment(tmp_path: Path, chunk: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assess_mod, "CHUNK", chunk)
    sub, suite = demo_inputs()
    whole = assess(sub, suite, out_dir=tmp_path / "json")
    lines = assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "s.jsonl"))), suite,
                   out_dir=tmp_path / "jsonl", now=whole.assessment.created_at)
    a, b = whole.assessment, lines.assessment
    assert (b.id, b.vector, b.score.low, b.score.high) == (a.id, a.vector, a.score.low, a.score.high)
    assert b.provenance.evidence_root == sha256_of(sorted(sub.evidence_hashes()))
    assert b.provenance.evidence == len(sub.evidence)
    for name in ("assessment.json", "report.md", "report.html"):
        assert (tmp_path / "json" / name).read_bytes() == (tmp_path / "jsonl" / name).read_bytes(), name
    assert (lines.judged, lines.reused) == (whole.judged, whole.reused) == (len(sub.evidence), 0)


def test_streamed_store_holds_what_the_whole_store_holds(tmp_path: Path) -> None:
    sub, suite = demo_inputs()
    with Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as sa:
        a = assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "s.jsonl"))), suite, store=sa)
        counts = sa.counts()
        back = sa.get_submission(submission_key(sub))
        rerun = assess(Evidence.lines(LinesFile.open(tmp_path / "s.jsonl")), suite, store=sa)
        assert sa.counts() == counts  # nothing added by a rerun
    assert back == sub
    n = len(sub.evidence)
    assert counts == {"assessment_reruns": 0, "assessments": 1, "submission_evidence": n, "submissions": 1,
                      "suites": 1, "transcripts": n, "verdicts": n}
    assert (rerun.judged, rerun.reused) == (0, len(sub.evidence))
    assert rerun.assessment.created_at == a.assessment.created_at
    assert a.verdicts == {}  # a streamed assessment keeps no verdicts: they are in the store
    with Store.open(f"sqlite:///{tmp_path / 'b.sqlite3'}") as sb:
        w = assess(sub, suite, store=sb, now=a.assessment.created_at)
        assert sb.counts() == counts and sb.get_submission(submission_key(sub)) == back
    assert w.assessment == a.assessment and len(w.verdicts) == len(sub.evidence)


def test_a_streamed_write_goes_in_batches_under_the_write_cache(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The streamed rows go to the driver's executemany :data:`BATCH` at a time, inside the wider SQLite
    page cache (``_write.write_cache``), which is restored before the transaction ends."""
    from sqlalchemy import event

    monkeypatch.setattr(_write, "BATCH", 7)
    sub, suite = demo_inputs()
    seen: list[tuple[str, int]] = []

    def log(conn: object, cursor: object, sql: str, params: object, context: object, many: bool) -> None:
        seen.append((sql, len(params) if many else 1))  # type: ignore[arg-type]

    with Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as store:
        event.listen(store._engine, "before_cursor_execute", log)
        assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "s.jsonl"))), suite, store=store)
        assert store.get_submission(submission_key(sub)) == sub
    sql = [q for q, _ in seen]
    widened = sql.index(f"PRAGMA cache_size=-{_write.WRITE_CACHE_KIB}")
    before = sql[widened - 1]
    assert before == "PRAGMA cache_size"  # the size in force is read first ...
    restored = next(i for i in range(widened + 1, len(sql)) if sql[i].startswith("PRAGMA cache_size="))
    assert sql[restored] != sql[widened]  # ... and put back after the evidence
    inserts = {table: [n for q, n in seen[widened:restored] if q.startswith(f"INSERT INTO {table} ")]
               for table in ("transcripts", "submission_evidence", "verdicts")}
    n = len(sub.evidence)
    assert sum(inserts["submission_evidence"]) == n and sum(inserts["verdicts"]) == n
    assert sum(inserts["transcripts"]) == len({t.content_hash for t in sub.evidence})
    assert all(max(b) <= 7 and len(b) > 1 for b in inserts.values())
    assert not any(q.startswith("INSERT INTO transcripts") for q, _ in seen[restored:])


def _hashes(n: int) -> list[str]:
    return ["sha256:" + hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


@pytest.mark.parametrize("run", [3, 64, 10_000])
def test_evidence_root_equals_the_sorted_list_hash(run: int) -> None:
    hs = _hashes(500)
    r = EvidenceRoot(run)
    for h in hs:
        r.add(h)
    assert r.hexdigest() == sha256_of(sorted(hs))
    assert EvidenceRoot().hexdigest() == sha256_of([])


def test_submission_key_equals_the_list_form() -> None:
    hs = _hashes(50)
    k = SubmissionKey("sha256:" + "ab" * 32)
    for h in hs:
        k.add(h)
    assert k.hexdigest() == sha256_of({"submission": "sha256:" + "ab" * 32, "evidence": hs})
    with pytest.raises(ValueError):
        k.add('x", "injected')


def test_report_sample_keeps_what_sorting_everything_would_show() -> None:
    sub, _ = demo_inputs()
    rnd = random.Random(4)
    evidence = list(sub.evidence)
    rnd.shuffle(evidence)
    sample = EvidenceSample.of(evidence)
    by: dict[str, list] = {}
    for t in evidence:
        by.setdefault(t.behaviour, []).append(t)
    for bid, ts in by.items():
        want = sorted(ts, key=lambda t: (t.verdicts[-1].label != "complied" if t.verdicts else True,
                                         t.condition != "jailbreak", t.sample))[:MAX_PER_GROUP]
        assert [t for _, _, t in sample.kept[bid]] == want
        assert sample.totals[bid] == len(ts)
    assert sample.total == len(evidence)


def test_spooled_text_with_tabs_newlines_and_separators_round_trips(tmp_path: Path) -> None:
    """Control characters and line separators inside the evidence come back from the store exactly,
    through the run's spool (pickled chunks; it held tab-separated lines once) and the driver's
    executemany."""
    sub, suite = demo_inputs()
    odd = "PLACEHOLDER\tcolumn\nline\r\u2028\u2029\x00end"
    ev = [t.model_copy(update={"response": odd}) if i % 3 == 0 and t.response else t
          for i, t in enumerate(sub.evidence)]
    sub = sub.model_copy(update={"evidence": ev})
    with Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}") as store:
        assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "s.jsonl"))), suite, store=store)
        back = store.get_submission(submission_key(sub))
    assert back == sub and any(t.response == odd for t in back.evidence)


def test_streamed_store_on_postgresql(tmp_path: Path) -> None:
    """The spool's JSON texts go to PostgreSQL's JSON columns as they are, and come back exactly."""
    from pg_kit import pg_schema, require_pg

    base = require_pg()
    sub, suite = demo_inputs()
    with pg_schema(base) as url, Store.open(url) as store:
        a = assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "s.jsonl"))), suite, store=store)
        assert store.get_submission(submission_key(sub)) == sub
        assert store.get_assessment(a.assessment.id) == a.assessment
        again = assess(sub, suite, store=store)
        assert (again.judged, again.reused) == (0, len(sub.evidence))


def test_a_json_lines_rerun_is_served_by_the_rerun_shortcut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON Lines file over the JSON size cap (it is streamed) still gets the rerun shortcut."""
    from typer.testing import CliRunner

    from jailscale.cli.main import app

    for k in ("JAILSCALE_DATABASE_URL", "SOURCE_DATE_EPOCH", "JAILSCALE_MAX_INPUT_MB"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    sub, _ = demo_inputs()
    path = write_lines(sub.model_copy(update={"suite": "practice"}), tmp_path / "s.jsonl")
    monkeypatch.setattr("jailscale.formats.io.max_input_bytes", lambda: 20_000)  # the JSON cap, far under the file
    calls = {"full": 0}
    real = assess_mod.assess

    def counted(*args: object, **kwargs: object) -> object:
        calls["full"] += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assess_mod, "assess", counted)
    outs = []
    for n in range(2):
        out = tmp_path / f"o{n}"
        r = CliRunner().invoke(app, ["assess", str(path), "--out", str(out), "-q"])
        assert r.exit_code == 0, r.stderr
        outs.append(out)
    assert calls["full"] == 1  # the second run was served from the store
    for name in ("assessment.json", "report.md", "report.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_streamed_write_rewrites_a_stored_verdict_that_no_longer_verifies(tmp_path: Path, backend: str) -> None:
    """A stored verdict row that does not verify (its seal edited) is not reused: the next streamed run
    judges that transcript again (and only that one) and rewrites the row, so the run after reuses it.
    The streamed write's lookups are driver SQL, on either backend."""
    from contextlib import ExitStack

    from sqlalchemy import text

    sub, suite = demo_inputs()
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
        else:
            from pg_kit import pg_schema, require_pg

            url = stack.enter_context(pg_schema(require_pg()))
        store = stack.enter_context(Store.open(url))
        first = assess(Evidence.lines(LinesFile.open(write_lines(sub, tmp_path / "a.jsonl"))), suite, store=store)
        assert (first.judged, first.reused) == (len(sub.evidence), 0)
        edited = sorted({t.content_hash for t in sub.evidence if t.response})[0]
        with store._engine.begin() as conn:
            n = conn.execute(text("UPDATE verdicts SET seal = :s WHERE transcript_hash = :h"),
                             {"s": "hmac-sha256:" + "0" * 64, "h": edited}).rowcount
        assert n == sum(1 for t in sub.evidence if t.content_hash == edited) > 0
        other = sub.model_copy(update={"id": sub.id + "-again"})
        second = assess(Evidence.lines(LinesFile.open(write_lines(other, tmp_path / "b.jsonl"))), suite, store=store)
        assert second.judged == n and second.reused == len(sub.evidence) - n
        third = sub.model_copy(update={"id": sub.id + "-third"})
        last = assess(Evidence.lines(LinesFile.open(write_lines(third, tmp_path / "c.jsonl"))), suite, store=store)
        assert (last.judged, last.reused) == (0, len(sub.evidence))
        assert last.assessment.vector == first.assessment.vector
