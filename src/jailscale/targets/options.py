"""Typed options for each built-in provider (what ``--target-opt KEY=VALUE`` may set)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from ..formats._base import Model
from .base import Price


class _HTTPOptions(Model):
    base_url: str | None = Field(None, description="endpoint root; default from the provider's env var, "
                                                   "else the provider's public API")
    api_key_env: str = Field("", description="environment variable holding the key (default: the provider's)")
    timeout: float = Field(60.0, gt=0, le=3600, description="seconds for one attempt, body included")
    price_input: float = Field(0.0, ge=0, description="USD per million input tokens (for --max-cost)")
    price_output: float = Field(0.0, ge=0, description="USD per million output tokens (for --max-cost)")
    tag_requests: bool = Field(True, description="send X-Jailscale-Item (behaviour|condition|ref|sample)")

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return v.rstrip("/") if v else v

    @property
    def price(self) -> Price | None:
        if not (self.price_input or self.price_output):
            return None
        return Price(input=self.price_input, output=self.price_output)


class OpenAIOptions(_HTTPOptions):
    """``openai/MODEL``: the Chat Completions API at ``base_url`` (default ``$OPENAI_BASE_URL``, else
    https://api.openai.com/v1). Local servers (vLLM, Ollama, llama.cpp) need no key."""

    prefill: Literal["unsupported", "assistant_message"] = Field(
        "unsupported", description="how to send a prefill: refuse (OpenAI ignores it), or as a final "
                                   "assistant message (vLLM, llama.cpp continue it)")


class AnthropicOptions(_HTTPOptions):
    """``anthropic/MODEL``: the Messages API (system prompt as ``system``, prefill as a final
    assistant turn)."""

    api_version: str = Field("2023-06-01", description="anthropic-version header")


class MockOptions(Model):
    """``mock/NAME``: answers from rules, no network. A prompt containing ``comply_marker`` gets a
    compliant placeholder answer; any other a refusal. ``fail_every`` > 0 makes every n-th distinct
    request fail once with ``fail_kind`` (for tests of retries)."""

    comply_marker: str = "PLACEHOLDER role-play frame"
    latency: float = Field(0.0, ge=0, le=60)
    fail_every: int = Field(0, ge=0)
    fail_kind: Literal["rate_limited", "server", "timeout", "connection", "malformed"] = "server"
    block_marker: str | None = Field(None, description="prompts containing it are blocked by the input classifier")
    comply_rate: float | None = Field(None, ge=0, le=1, description="with the marker, comply on this share of "
                                      "(prompt, sample) pairs (chosen by hash), refuse on the rest")


class ReplayOptions(Model):
    """``replay``: answers each attempt from a recorded submission or JSONL journal, by behaviour,
    condition, reference and sample; an attempt with no recording is an error, never a refusal."""

    source: str = Field(min_length=1, description="submission file (YAML/JSON) or run journal (.jsonl)")


class HFOptions(Model):
    """``hf/ORG/NAME`` or ``hf/PATH``: a local transformers causal LM (greedy unless temperature > 0)."""

    device: str = "cpu"
    trust_remote_code: bool = False
    chat_template: bool = Field(True, description="use the tokenizer's chat template when it has one")


class GuardedOptions(Model):
    """``-T model=openai/M -T model_base_url=... -T input=openai/llama-guard -T output=judge:rules``."""

    model: str = Field(min_length=3, description="the model's address, e.g. openai/my-model")
    model_base_url: str | None = None
    input: str | None = Field(None, description="input classifier: an address, or none")
    input_base_url: str | None = None
    output: str | None = Field(None, description="output classifier: an address or judge:NAME, or none")
    output_base_url: str | None = None
    block_pattern: str = Field(r"^\s*unsafe", description="regex an endpoint classifier's answer matches to block")
    timeout: float = Field(60.0, gt=0, le=3600)

    @field_validator("block_pattern")
    @classmethod
    def _regex(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"block_pattern is not a regular expression: {e}") from None
        return v
