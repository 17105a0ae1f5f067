"""The response cache: a request already answered is not sent again, in this run or a later one.

Key: sha256 of the canonical JSON of everything that determines a response: the target's identity
(address, base URL, answer-changing options; never a key), the messages, the prefill, the sampling
parameters and the sample index (so N samples are N answers, not one answer N times).

Only answers and content-filter blocks are cached; errors are not (a retry should try again).
Storage: an append-only JSON-lines file; the index in memory holds 16 bytes of digest and an offset
per entry (about 100 bytes each, 10 MB per 100,000 entries), and an entry is read back from disk
when hit. Appends use one ``os.write`` on ``O_APPEND`` (safe with other runs writing the same file);
a line that does not parse, or whose key does not match, is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import EnvironmentFault
from ..formats import canonical_json
from ..targets import Reply, Request, Target


def cache_key(target: Target, request: Request) -> str:
    s = request.sampling
    payload = {"target": target.identity_hash, "messages": request.messages, "prefill": request.prefill,
               "sampling": [s.temperature, s.top_p, s.max_tokens, s.seed, s.stop], "sample": request.sample}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: dict[bytes, int] = {}
        self.hits = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as e:
            raise EnvironmentFault(f"cannot open the response cache '{str(path)[:200]}': {e.strerror}") from None
        self._load()

    def _load(self) -> None:
        offset = 0
        last = b"\n"
        with open(self.path, "rb") as fh:
            for raw in fh:
                last = raw
                if raw.endswith(b"\n") and raw.startswith(b'{"k":"'):
                    with contextlib.suppress(ValueError):  # a line torn by a crash: a miss, not an error
                        self.index[bytes.fromhex(raw[6:38].decode("ascii"))] = offset
                offset += len(raw)
        if not last.endswith(b"\n"):
            os.write(self._fd, b"\n")  # a torn line from a crash: start the next entry on a line of its own

    def get(self, key: str) -> Reply | None:
        off = self.index.get(bytes.fromhex(key[:32]))
        if off is None:
            return None
        line = b""
        size = 4096
        while True:
            chunk = os.pread(self._fd, size, off)
            nl = chunk.find(b"\n")
            if nl >= 0:
                line = chunk[:nl]
                break
            if len(chunk) < size:
                return None
            size *= 4
        try:
            rec = json.loads(line)
        except ValueError:
            return None
        if rec.get("k") != key:
            return None
        self.hits += 1
        return Reply(text=rec.get("text"), blocked_by=rec.get("blocked_by"), kind=rec.get("kind"),
                     error=rec.get("error"), layers=rec.get("layers") or {}, input_tokens=rec.get("in", 0),
                     output_tokens=rec.get("out", 0), model=rec.get("model"), finish_reason=rec.get("finish"))

    def put(self, key: str, reply: Reply) -> None:
        if reply.text is None and reply.blocked_by is None:
            return
        rec: dict[str, Any] = {"k": key, "text": reply.text, "in": reply.input_tokens, "out": reply.output_tokens,
                               "model": reply.model, "finish": reply.finish_reason}
        if reply.blocked_by is not None:
            rec.update(blocked_by=reply.blocked_by, kind=reply.kind, error=reply.error, layers=reply.layers)
        data = (json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            os.write(self._fd, data)
            end = os.lseek(self._fd, 0, os.SEEK_CUR)
        except OSError as e:
            raise EnvironmentFault(f"cannot write the response cache: {e.strerror}") from None
        self.index[bytes.fromhex(key[:32])] = end - len(data)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
