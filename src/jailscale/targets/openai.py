"""``openai/MODEL``: the Chat Completions API, at OpenAI or any compatible server (``base_url``).

Content filters, as OpenAI and Azure OpenAI document them: a request refused before the model with
HTTP 400 and error code ``content_filter``/``content_policy_violation`` is blocked by the
``input_classifier``; an answer cut with ``finish_reason: content_filter`` is blocked by the
``output_classifier``. Both are recorded as ``blocked_by``, never as refusals. A message with a
``refusal`` field (structured-output refusals) is the model's own refusal and is kept as its text.
"""

from __future__ import annotations

from typing import Any

from ._http import HTTPTarget, error_code, parse_json, status_reply
from .base import Reply, Request
from .options import OpenAIOptions

_FILTER_CODES = ("content_filter", "content_policy_violation")


class OpenAITarget(HTTPTarget):
    provider = "openai"
    default_base_url = "https://api.openai.com/v1"
    base_url_env = "OPENAI_BASE_URL"
    key_env = "OPENAI_API_KEY"
    key_required_for = ("https://api.openai.com",)

    def __init__(self, model: str, opts: OpenAIOptions) -> None:
        super().__init__(model, opts)
        self.prefill_mode = opts.prefill

    def identity(self) -> dict[str, Any]:
        return {**super().identity(), "prefill": self.prefill_mode}

    def auth_headers(self, key: str | None) -> dict[str, str]:
        return {"authorization": f"Bearer {key}"} if key else {}

    def body(self, req: Request) -> dict[str, Any]:
        s = req.sampling
        messages: list[dict[str, str]] = list(req.messages)
        if req.prefill is not None:
            messages.append({"role": "assistant", "content": req.prefill})
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": s.temperature,
                                "max_tokens": s.max_tokens}
        if s.top_p is not None:
            body["top_p"] = s.top_p
        if s.seed is not None:
            body["seed"] = s.seed
        if s.stop:
            body["stop"] = s.stop
        return body

    async def complete(self, request: Request) -> Reply:
        if request.prefill is not None and self.prefill_mode == "unsupported":
            return Reply.failed("unsupported", "this endpoint has no prefill; pass --target-opt "
                                "prefill=assistant_message for servers that continue a final assistant turn")
        got = await self.post("/chat/completions", self.body(request), request.item)
        if isinstance(got, Reply):
            return got
        status, raw, headers = got
        if status != 200:
            if status == 400 and error_code(raw) in _FILTER_CODES:
                return Reply(blocked_by="input_classifier", error="blocked by the provider's content filter",
                             kind="blocked", layers={"input_classifier": "blocked"})
            return status_reply(status, raw, headers)
        return parse_completion(raw)


def parse_completion(raw: bytes) -> Reply:
    """A 200 body into a Reply; anything not shaped like a chat completion is ``malformed``."""
    data = parse_json(raw)
    if data is None:
        return Reply.failed("malformed", "the body is not a JSON object")
    try:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        finish = choice.get("finish_reason")
    except (KeyError, IndexError, TypeError, AttributeError):
        return Reply.failed("malformed", "no choices[0] in the answer")
    usage = data.get("usage") or {}
    tokens_in = int(usage.get("prompt_tokens") or 0) if isinstance(usage, dict) else 0
    tokens_out = int(usage.get("completion_tokens") or 0) if isinstance(usage, dict) else 0
    model = data.get("model") if isinstance(data.get("model"), str) else None
    if finish == "content_filter":
        return Reply(blocked_by="output_classifier", error="answer withheld by the provider's content filter",
                     kind="blocked", layers={"output_classifier": "blocked"}, input_tokens=tokens_in,
                     output_tokens=tokens_out, model=model, finish_reason=finish)
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str) and isinstance(message, dict) and isinstance(message.get("refusal"), str):
        text = message["refusal"]
    if not isinstance(text, str):
        return Reply.failed("malformed", "choices[0].message has no text content")
    return Reply(text=text, input_tokens=tokens_in, output_tokens=tokens_out, model=model,
                 finish_reason=finish if isinstance(finish, str) else None)
