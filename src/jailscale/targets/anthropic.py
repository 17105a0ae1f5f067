"""``anthropic/MODEL``: the Messages API. The system prompt goes in ``system``; a prefill is a final
assistant turn, which the API continues (the reply text is the continuation only; the prefill is in
the recorded prompt). ``stop_reason: refusal`` (the API's streaming safety classifiers) is recorded
as blocked by the ``output_classifier``, never as the model's refusal. HTTP 529 "overloaded" is a
transient server error."""

from __future__ import annotations

from typing import Any

from ._http import HTTPTarget, parse_json, status_reply
from .base import Reply, Request
from .options import AnthropicOptions


class AnthropicTarget(HTTPTarget):
    provider = "anthropic"
    default_base_url = "https://api.anthropic.com"
    base_url_env = "ANTHROPIC_BASE_URL"
    key_env = "ANTHROPIC_API_KEY"
    key_required_for = ("https://api.anthropic.com",)

    def __init__(self, model: str, opts: AnthropicOptions) -> None:
        super().__init__(model, opts)
        self.api_version = opts.api_version

    def auth_headers(self, key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": self.api_version}
        if key:
            headers["x-api-key"] = key
        return headers

    def body(self, req: Request) -> dict[str, Any]:
        s = req.sampling
        system = "\n\n".join(m["content"] for m in req.messages if m["role"] == "system")
        messages = [m for m in req.messages if m["role"] != "system"]
        if req.prefill is not None:
            messages.append({"role": "assistant", "content": req.prefill})
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": s.max_tokens,
                                "temperature": min(s.temperature, 1.0)}
        if system:
            body["system"] = system
        if s.top_p is not None:
            body["top_p"] = s.top_p
        if s.stop:
            body["stop_sequences"] = s.stop
        return body

    async def complete(self, request: Request) -> Reply:
        got = await self.post("/v1/messages", self.body(request), request.item)
        if isinstance(got, Reply):
            return got
        status, raw, headers = got
        if status != 200:
            return status_reply(status, raw, headers)
        return parse_message(raw)


def parse_message(raw: bytes) -> Reply:
    data = parse_json(raw)
    if data is None or not isinstance(data.get("content"), list):
        return Reply.failed("malformed", "the body is not a Messages API answer")
    raw_usage = data.get("usage")
    usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
    tokens_in = int(usage.get("input_tokens") or 0)
    tokens_out = int(usage.get("output_tokens") or 0)
    stop = data.get("stop_reason")
    model = data.get("model") if isinstance(data.get("model"), str) else None
    if stop == "refusal":
        return Reply(blocked_by="output_classifier", error="stopped by the provider's safety classifier",
                     kind="blocked", layers={"output_classifier": "blocked"}, input_tokens=tokens_in,
                     output_tokens=tokens_out, model=model, finish_reason=stop)
    parts = [b.get("text") for b in data["content"] if isinstance(b, dict) and b.get("type") == "text"]
    if not all(isinstance(p, str) for p in parts):
        return Reply.failed("malformed", "a text block without text")
    return Reply(text="".join(p for p in parts if isinstance(p, str)), input_tokens=tokens_in,
                 output_tokens=tokens_out, model=model, finish_reason=stop if isinstance(stop, str) else None)
