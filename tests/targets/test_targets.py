"""Targets: the registry and options, each provider against the stub server, error kinds, keys."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from jailscale import targets
from jailscale.errors import UserError
from jailscale.formats import Submission, Transcript
from jailscale.targets import Request, Sampling
from jailscale.targets._http import read_key, retry_after
from jailscale.targets.anthropic import parse_message
from jailscale.targets.openai import parse_completion
from jailscale.testkit.stub import ANSWER, KINDS, REFUSAL, Faults, Stub, StubServer

MARK = "PLACEHOLDER role-play frame"


def req(text: str = "hello", item: str = "b1|jailbreak||0", **kw: object) -> Request:
    return Request(messages=({"role": "user", "content": text},), sampling=Sampling(), item=item, **kw)  # type: ignore[arg-type]


def once(target: targets.Target, request: Request) -> targets.Reply:
    async def go() -> targets.Reply:
        async with target:
            return await target.complete(request)

    return asyncio.run(go())


def test_registry_addresses_and_options() -> None:
    assert {"openai", "anthropic", "mock", "replay", "hf"} <= set(targets.available())
    assert targets.split_address("hf/org/name") == ("hf", "org/name")
    assert targets.split_address("mock") == ("mock", "default")
    with pytest.raises(UserError, match="PROVIDER/MODEL"):
        targets.split_address("gpt-4o")
    with pytest.raises(UserError, match="unknown target provider 'nope'"):
        targets.get("nope/model")
    with pytest.raises(UserError, match="option timeout"):
        targets.get("openai/m", {"timeout": "-1"})
    with pytest.raises(UserError, match="option colour"):
        targets.get("openai/m", {"colour": "red"})
    with pytest.raises(UserError, match="base_url"):
        targets.get("openai/m", {"base_url": "ftp://x"})
    t = targets.get("openai/m", {"base_url": "http://127.0.0.1:9/v1/", "timeout": "5"})
    assert t.identity() == {"target": "openai/m", "base_url": "http://127.0.0.1:9/v1", "prefill": "unsupported"}
    assert targets.parse_options(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UserError, match="KEY=VALUE"):
        targets.parse_options(["novalue"])


def test_openai_against_stub_answers_and_refuses() -> None:
    with StubServer() as s:
        t = targets.get("openai/stub-model", {"base_url": s.url})
        ok = once(t, req(f"{MARK}: question"))
        no = once(targets.get("openai/stub-model", {"base_url": s.url}), req("question", item="b1|baseline||0"))
        assert s.stub.received == {"b1|jailbreak||0": 1, "b1|baseline||0": 1}
    assert (ok.text, ok.error, ok.kind, ok.input_tokens, ok.model) == (ANSWER, None, None, 20, "stub-model")
    assert no.text == REFUSAL and no.error is None


@pytest.mark.parametrize("kind", KINDS)
def test_each_fault_is_an_error_of_its_kind_never_a_refusal(kind: str) -> None:
    expected = {"rate_limit": "rate_limited", "server_error": "server", "timeout": "timeout",
                "malformed": "malformed", "drop": "connection", "truncate": "connection", "slow": None}[kind]
    with StubServer(Stub(faults=Faults(**{kind: 1.0}, hang=2.0, slow_seconds=0.2))) as s:  # type: ignore[arg-type]
        t = targets.get("openai/m", {"base_url": s.url, "timeout": "0.6"})

        async def twice() -> list[targets.Reply]:
            async with t:
                return [await t.complete(req()), await t.complete(req())]

        first, second = asyncio.run(twice())
    assert first.kind == expected
    if expected is not None:
        assert first.text is None and first.error and first.transient
        assert second.text == REFUSAL  # the fault is on the first attempt only
    else:
        assert first.text == REFUSAL
    if kind == "rate_limit":
        assert first.retry_after == pytest.approx(0.05)


def test_http_status_kinds_and_retry_after() -> None:
    from jailscale.targets._http import status_reply

    assert status_reply(401, b'{"error": {"message": "bad key"}}', {}).kind == "auth"
    assert status_reply(404, b"{}", {}).kind == "client"
    assert status_reply(529, b"overloaded", {}).kind == "server"
    assert not status_reply(400, b"{}", {}).transient
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "1500"}) == 1.5
    assert retry_after({"retry-after": "99999"}) == 300.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({"retry-after": "soon"}) is None


def test_content_filters_are_blocks_not_refusals() -> None:
    body = {"choices": [{"message": {"content": None}, "finish_reason": "content_filter"}], "usage": {}}
    r = parse_completion(json.dumps(body).encode())
    assert (r.blocked_by, r.kind, r.text) == ("output_classifier", "blocked", None)
    refusal = {"choices": [{"message": {"content": None, "refusal": "I can't."}, "finish_reason": "stop"}]}
    assert parse_completion(json.dumps(refusal).encode()).text == "I can't."
    assert parse_completion(b'{"choices": []}').kind == "malformed"
    assert parse_completion(b"[1]").kind == "malformed"
    a = parse_message(json.dumps({"content": [], "stop_reason": "refusal"}).encode())
    assert (a.blocked_by, a.kind) == ("output_classifier", "blocked")


def test_input_content_filter_400() -> None:
    from aiohttp import web

    from jailscale.targets.openai import OpenAITarget

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "content_filter", "message": "filtered"}}, status=400)

    async def go() -> targets.Reply:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        t = targets.get("openai/m", {"base_url": f"http://127.0.0.1:{port}/v1"})
        assert isinstance(t, OpenAITarget)
        try:
            async with t:
                return await t.complete(req())
        finally:
            await runner.cleanup()

    r = asyncio.run(go())
    assert (r.blocked_by, r.kind, r.layers) == ("input_classifier", "blocked", {"input_classifier": "blocked"})


def test_anthropic_body_system_and_prefill_against_stub() -> None:
    from jailscale.targets.anthropic import AnthropicTarget

    t = targets.get("anthropic/claude-x", {"base_url": "http://127.0.0.1:1"})
    assert isinstance(t, AnthropicTarget)
    r = Request(messages=({"role": "system", "content": "S"}, {"role": "user", "content": "U"}),
                sampling=Sampling(temperature=1.5, stop=["x"]), prefill="Sure,")
    body = t.body(r)
    assert body["system"] == "S" and body["temperature"] == 1.0 and body["stop_sequences"] == ["x"]
    assert body["messages"] == [{"role": "user", "content": "U"}, {"role": "assistant", "content": "Sure,"}]
    with StubServer() as s:
        got = once(targets.get("anthropic/claude-x", {"base_url": s.root}), req(f"{MARK} q"))
    assert got.text == ANSWER and got.output_tokens > 0


def test_openai_prefill_needs_a_mode() -> None:
    t = targets.get("openai/m", {"base_url": "http://127.0.0.1:1/v1"})
    r = once(t, req(prefill="Sure"))
    assert r.kind == "unsupported" and not r.transient
    t2 = targets.get("openai/m", {"base_url": "http://127.0.0.1:1/v1", "prefill": "assistant_message"})
    assert isinstance(t2, targets.get("openai/m", {}).__class__)
    assert t2.body(req(prefill="Sure"))["messages"][-1] == {"role": "assistant", "content": "Sure"}  # type: ignore[attr-defined]


def test_keys_from_env_and_dotenv_never_in_identity_or_repr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        once(targets.get("openai/gpt-x"), req())
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dotenv-123\n")
    assert read_key("OPENAI_API_KEY") == "sk-from-dotenv-123"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-456")
    assert read_key("OPENAI_API_KEY") == "sk-from-env-456"
    t = targets.get("openai/gpt-x")
    asyncio.run(t.open())
    try:
        shown = repr(t) + json.dumps(t.identity()) + t.identity_hash
        assert "sk-from" not in shown
    finally:
        asyncio.run(t.aclose())


def test_mock_target_rules_and_injected_faults() -> None:
    t = targets.get("mock", {"fail_every": "2", "block_marker": "BLOCKME"})
    a, b, b2 = once(t, req(MARK, item="a")), once(t, req("x", item="b")), once(t, req("x", item="b"))
    assert a.text and "PLACEHOLDER" in a.text
    assert b.kind == "server" and b2.text is not None and "can't" in b2.text
    c = once(t, req("BLOCKME", item="c"))
    assert c.blocked_by == "input_classifier"


def test_replay_answers_from_a_submission(tmp_path: Path) -> None:
    from jailscale.runner.demo import demo_path

    t = targets.get("replay", {"source": str(demo_path())})
    r = once(t, req(item="practice-01|jailbreak||0"))
    assert r.text == "I can't help with that request."
    missing = once(t, req(item="nope|jailbreak||0"))
    assert missing.kind == "unsupported" and missing.text is None
    sub = Submission.model_validate({
        "id": "x", "title": "x", "assessed_on": "2026-01-01",
        "technique": {"kind": "opaque", "name": "n"}, "target": {"model": "m/m"},
        "evidence": [Transcript(behaviour="b", condition="jailbreak", error="HTTP 500").model_dump(mode="json"),
                     Transcript(behaviour="c", condition="jailbreak", blocked_by="output_classifier")
                     .model_dump(mode="json")]})
    p = tmp_path / "s.json"
    p.write_text(sub.model_dump_json())
    t2 = targets.get("replay", {"source": str(p)})
    assert once(t2, req(item="b|jailbreak||0")).kind == "client"
    assert once(t2, req(item="c|jailbreak||0")).blocked_by == "output_classifier"
    with pytest.raises(UserError, match="not a file"):
        once(targets.get("replay", {"source": str(tmp_path / "none.yaml")}), req())


def test_hf_target_loads_a_small_local_model_or_says_why_not() -> None:
    pytest.importorskip("transformers", reason="transformers is not installed (pip install 'jailscale[hf]'): "
                        "the hf loader is exercised only where the extra is installed")
    pytest.importorskip("torch", reason="torch is not installed (pip install 'jailscale[hf]')")
    pytest.skip("no package-shipped small causal LM is available in this environment")
