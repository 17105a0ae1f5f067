"""The runner's rules: techniques as declared, cache keys, budgets, dry runs, keys never written."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.errors import UserError
from jailscale.formats import Technique
from jailscale.runner.cache import ResponseCache, cache_key
from jailscale.runner.collected import estimate
from jailscale.runner.journal import Journal
from jailscale.runner.live import RunOptions, collect
from jailscale.runner.techniques import TRANSFORMS, jailbreak_script, plain_script
from jailscale.suites import practice
from jailscale.targets import Reply, Request, Sampling
from jailscale.targets import get as get_target
from jailscale.testkit.stub import Stub, StubServer

from .conftest import journal_results, make_plan


def test_techniques_are_applied_as_declared() -> None:
    t = Technique(kind="template", name="t", template="Frame: {request}", system_prompt="SYS", prefill="Sure,")
    s = jailbreak_script(t, "question")
    assert (s.turns, s.system, s.prefill) == (("Frame: question",), "SYS", "Sure,")
    mt = Technique(kind="multi_turn", name="m", turns=["hello", "now: {request}"])
    assert jailbreak_script(mt, "q").turns == ("hello", "now: q")
    tr = Technique(kind="transforms", name="x", transforms=["rot13", "base64"])
    sent = jailbreak_script(tr, "abc").turns[0]
    assert base64.b64encode(b"nop").decode() in sent and "rot13 then base64" in sent
    assert TRANSFORMS["leetspeak"]("test") == "7357" and TRANSFORMS["reverse"]("ab") == "ba"
    assert TRANSFORMS["caesar"]("xyz") == "abc" and TRANSFORMS["char_swap"]("abcdef") == "acbedf"
    assert plain_script("q").turns == ("q",) and plain_script("q").system is None
    with pytest.raises(UserError, match="translator"):
        jailbreak_script(Technique(kind="transforms", name="x", transforms=["translate"]), "q")


def test_multi_turn_sends_each_turn_with_the_replies(tmp_path: Path) -> None:
    stub = Stub()
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url, "prefill": "assistant_message"},
                         behaviours=["practice-01"], kind="multi_turn", template=None,
                         turns=["hello", "PLACEHOLDER role-play frame: {request}"], system_prompt="SYS", prefill="Ok")
        asyncio.run(collect(plan, practice(), tmp_path / "run"))
    recs = {r["transcript"]["condition"]: r["transcript"] for r in journal_results(tmp_path / "run" / "journal.jsonl")}
    jb = recs["jailbreak"]
    roles = [m["role"] for m in jb["prompt"]]
    assert roles == ["system", "user", "assistant", "user", "assistant"]
    assert jb["prompt"][-1]["content"] == "Ok" and "PLACEHOLDER answer" in jb["response"]
    assert [m["role"] for m in recs["baseline"]["prompt"]] == ["user"]
    assert sum(stub.received.values()) == 3  # two turns + one baseline


def test_cache_key_covers_what_determines_an_answer(tmp_path: Path) -> None:
    t1 = get_target("openai/m", {"base_url": "http://127.0.0.1:1/v1"})
    t2 = get_target("openai/m", {"base_url": "http://127.0.0.1:2/v1"})
    r = Request(messages=({"role": "user", "content": "q"},), sampling=Sampling(), sample=0)
    variants = [cache_key(t1, r), cache_key(t2, r),
                cache_key(t1, Request(messages=r.messages, sampling=Sampling(temperature=0.5))),
                cache_key(t1, Request(messages=r.messages, sampling=r.sampling, sample=1)),
                cache_key(t1, Request(messages=({"role": "user", "content": "Q"},), sampling=r.sampling)),
                cache_key(t1, Request(messages=r.messages, sampling=r.sampling, prefill="x"))]
    assert len(set(variants)) == len(variants)
    assert cache_key(t1, r) == cache_key(t1, Request(messages=r.messages, sampling=Sampling(), item="other"))
    c = ResponseCache(tmp_path / "c.jsonl")
    c.put(variants[0], Reply(text="answer", input_tokens=3))
    c.put(variants[1], Reply.failed("server", "HTTP 500"))  # errors are not cached
    c.close()
    with (tmp_path / "c.jsonl").open("a") as fh:
        fh.write('{"k":"torn')
    c2 = ResponseCache(tmp_path / "c.jsonl")
    hit = c2.get(variants[0])
    assert hit is not None and hit.text == "answer" and hit.input_tokens == 3
    assert c2.get(variants[1]) is None
    c2.put(variants[2], Reply(text="after torn"))
    c2.close()
    got = ResponseCache(tmp_path / "c.jsonl").get(variants[2])
    assert got is not None and got.text == "after torn"


def test_second_run_is_answered_from_the_cache(tmp_path: Path) -> None:
    stub = Stub()
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url}, behaviours=["practice-01", "practice-02"], samples=2)
        opts = RunOptions(cache=tmp_path / "cache.jsonl")
        first = asyncio.run(collect(plan, practice(), tmp_path / "a", opts))
        second = asyncio.run(collect(plan, practice(), tmp_path / "b", opts))
    assert first.attempts == 8 and first.cache_hits == 0
    assert second.attempts == 0 and second.cache_hits == 8 and second.recorded == 8
    assert sum(stub.received.values()) == 8


def test_max_requests_stops_and_resume_finishes(tmp_path: Path) -> None:
    plan = make_plan("mock")
    r1 = asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions(concurrency=4, max_requests=10)))
    assert r1.recorded == 10 and not r1.complete and r1.stopped and "max-requests" in r1.stopped
    with pytest.raises(UserError, match="--resume"):
        asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions()))
    r2 = asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions(resume=True)))
    assert r2.already_done == 10 and r2.recorded == 52 and r2.complete
    other = make_plan("mock", samples=2)
    with pytest.raises(UserError, match="another plan"):
        asyncio.run(collect(other, practice(), tmp_path / "run", RunOptions(resume=True)))


def test_max_cost_reserves_the_worst_case(tmp_path: Path) -> None:
    with StubServer() as server:
        opts = {"base_url": server.url, "price_input": "1000", "price_output": "1000"}
        plan = make_plan(options=opts)
        e = estimate(plan, practice())
        assert e.items == 62 and e.requests == 62 and e.priced and e.cost > 0
        r = asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions(max_cost=e.cost / 4, concurrency=8)))
    assert not r.complete and r.stopped and "max-cost" in r.stopped
    assert r.cost <= e.cost / 4


def test_auth_failure_stops_without_recording(tmp_path: Path) -> None:
    from aiohttp import web

    async def go() -> None:
        async def deny(request: web.Request) -> web.Response:
            return web.json_response({"error": {"message": "bad key"}}, status=401)

        app_ = web.Application()
        app_.router.add_post("/v1/chat/completions", deny)
        runner = web.AppRunner(app_)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            r = await collect(make_plan(options={"base_url": f"http://127.0.0.1:{port}/v1"}), practice(),
                              tmp_path / "run", RunOptions(concurrency=2))
        finally:
            await runner.cleanup()
        assert r.recorded == 0 and r.stopped and "rejected the credentials" in r.stopped

    asyncio.run(go())
    assert journal_results(tmp_path / "run" / "journal.jsonl") == []


def test_journal_cuts_a_torn_line_and_refuses_a_second_record(tmp_path: Path) -> None:
    p = tmp_path / "j.jsonl"
    j = Journal(p, "h1")
    j.record("a|jailbreak||0", {"x": 1}, {})
    with pytest.raises(AssertionError):
        j.record("a|jailbreak||0", {"x": 1}, {})
    j.close()
    with p.open("a") as fh:
        fh.write('{"type":"result","item":"b|jailb')
    j2 = Journal(p, "h1", resume=True)
    assert j2.done == {"a|jailbreak||0"}
    j2.record("b|jailbreak||0", {}, {})
    j2.close()
    assert [json.loads(x)["item"] for x in p.read_text().splitlines()[1:]] == ["a|jailbreak||0", "b|jailbreak||0"]


def test_cli_run_dry_run_and_keys_never_written(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch,
                                                repo_root: Path) -> None:
    sub = repo_root / "src" / "jailscale" / "examples" / "demo-submission.yaml"
    secret = "sk-test-SECRET-never-written-0042"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    cli = CliRunner()
    dry = cli.invoke(app, ["run", str(sub), "--target", "openai/gpt-x", "--samples", "2", "--dry-run",
                           "-T", "price_input=0.15", "-T", "price_output=0.6"])
    assert dry.exit_code == 0, dry.output
    assert "124 item(s)" in dry.output and "cost: at most $0.0389" in dry.output and "nothing was sent" in dry.output
    with StubServer() as server:
        out = tmp_path / "run"
        res = cli.invoke(app, ["run", str(sub), "--target", "openai/stub", "-T", f"base_url={server.url}",
                               "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "62/62 item(s) recorded" in res.output
    written = [p for p in list(out.rglob("*")) + list(home.rglob("*")) if p.is_file()]
    assert any(p.name == "responses.jsonl" for p in written)
    for p in written:
        assert secret not in p.read_text(encoding="utf-8", errors="replace"), p
    assert secret not in res.output
    bad = cli.invoke(app, ["run", str(sub), "--target", "openai/x", "-T", "api_key=sk-1", "--dry-run"])
    assert bad.exit_code == 2 and "credentials" in bad.output


def test_cli_assess_target_collects_then_rates(tmp_path: Path, home: Path, repo_root: Path) -> None:
    sub = repo_root / "src" / "jailscale" / "examples" / "demo-submission.yaml"
    with StubServer() as server:
        res = CliRunner().invoke(app, ["assess", str(sub), "--target", "openai/stub", "-T",
                                       f"base_url={server.url}", "--out", str(tmp_path / "a"), "--no-store"])
    assert res.exit_code == 0, res.output
    assert "62/62 item(s) recorded" in res.output and "cost $0.0000" in res.output
    a = json.loads((tmp_path / "a" / "assessment.json").read_text())
    assert a["target"].startswith("openai/stub") and a["provenance"]["evidence"] == 62
    assert (tmp_path / "a" / "run" / "journal.jsonl").is_file()


def test_reference_baselines_from_the_registry_run_plain_requests(tmp_path: Path, home: Path,
                                                                  repo_root: Path) -> None:
    sub = repo_root / "src" / "jailscale" / "examples" / "demo-submission.yaml"
    stub = Stub()
    with StubServer(stub) as server:
        res = CliRunner().invoke(app, [
            "run", str(sub), "--target", "openai/stub", "-T", f"base_url={server.url}",
            "--reference", "meta/llama-3-70b-instruct", "--reference-opt", f"base_url={server.url}",
            "--out", str(tmp_path / "run"), "-q"])
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "run" / "submission.json").read_text())
    assert "meta/llama-3-70b-instruct" in s["baselines"]
    refs = [t for t in s["evidence"] if t["condition"] == "reference"]
    assert len(refs) == 31 and {t["reference"] for t in refs} == {"meta/llama-3-70b-instruct"}
    assert {t["model"] for t in refs} == {"openai/meta-llama/Meta-Llama-3-70B-Instruct"}
    assert all([m["role"] for m in t["prompt"]] == ["user"] and "PLACEHOLDER role-play" not in t["prompt"][0]["content"]
               for t in refs)
    assert all(t["started_at"] for t in refs)
    bad = CliRunner().invoke(app, ["run", str(sub), "--target", "mock", "--reference", "nobody/none", "--dry-run"])
    assert bad.exit_code == 2 and "baseline registry" in bad.output


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    import io

    from jailscale.runner.progress import BarProgress, LineProgress, NoProgress, progress_for

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_for(Tty()), BarProgress)
    assert isinstance(progress_for(io.StringIO(), quiet=True), NoProgress)
    out = io.StringIO()
    p = progress_for(out)
    assert isinstance(p, LineProgress)
    p.interval = 0.0
    p.start(3, 1)
    p.advance(False, 2, 0.5)
    p.advance(True, 0, 0.75)
    p.stop()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("run: 1/3") and "already done (resumed)" in lines[0]
    assert lines[-1] == "run: 3/3 (100%), 1 error(s), 2 retries, $0.7500; finished"
