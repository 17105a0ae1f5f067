"""Targets: the models a run sends requests to, behind one async seam (:class:`Target`) and one
registry addressed as ``provider/model`` (``openai/gpt-4o-mini``, ``anthropic/...``, ``mock``,
``replay``, ``hf/...``). A target makes one attempt per call; the runner retries and limits."""

from .base import TRANSIENT, ErrorKind, Price, Reply, Request, Sampling, Target
from .registry import available, get, parse_options, register, split_address

__all__ = [
    "TRANSIENT",
    "ErrorKind",
    "Price",
    "Reply",
    "Request",
    "Sampling",
    "Target",
    "available",
    "get",
    "parse_options",
    "register",
    "split_address",
]
