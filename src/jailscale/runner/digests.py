"""The two hashes over all of a submission's transcript hashes, computed as the transcripts stream by.

- the **evidence root** (``Provenance.evidence_root``): :func:`~jailscale.formats.sha256_of` of the
  *sorted* list of transcript hashes. Sorting needs them all: they are kept as 32-byte digests, sorted
  in runs of :data:`RUN` and spilled to a temporary file, then merged, so memory stays bounded
  (a million transcripts: 32 MB on disk, at most :data:`RUN` digests in memory);
- the **submission key** (the store's ``submissions.key``): ``sha256_of({"submission": content hash,
  "evidence": [hashes in order]})``, fed in order.

Both give exactly the hash of the canonical JSON the list form would hash (tests compare them).
"""

from __future__ import annotations

import hashlib
import heapq
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

PREFIX = "sha256:"
RUN = 1 << 17
"""Digests sorted in memory at once (131,072 x 32 bytes, 4 MB)."""


def _digest(h: str) -> bytes:
    if not h.startswith(PREFIX) or len(h) != len(PREFIX) + 64:
        raise ValueError(f"not a sha256 content hash: {h[:80]!r}")
    return bytes.fromhex(h[len(PREFIX):])


class EvidenceRoot:
    """``sha256_of(sorted(hashes))`` over hashes added one at a time, in bounded memory."""

    def __init__(self, run: int = RUN) -> None:
        self.run = run
        self._buf: list[bytes] = []
        self._spill: BinaryIO | None = None
        self._runs: list[tuple[int, int]] = []  # (offset, count) of each sorted run in the spill file
        self.count = 0

    def add(self, h: str) -> None:
        self._buf.append(_digest(h))
        self.count += 1
        if len(self._buf) >= self.run:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="jailscale-root-")  # noqa: SIM115  # closed by close()
        self._buf.sort()
        self._spill.seek(0, 2)
        self._runs.append((self._spill.tell(), len(self._buf)))
        self._spill.write(b"".join(self._buf))
        self._buf = []

    def _read_run(self, offset: int, count: int) -> Iterator[bytes]:
        assert self._spill is not None
        step = 4096
        for i in range(0, count, step):
            n = min(step, count - i)
            self._spill.seek(offset + 32 * i)
            block = self._spill.read(32 * n)
            for j in range(n):
                yield block[32 * j:32 * j + 32]

    def _sorted(self) -> Iterator[bytes]:
        if self._spill is None:
            yield from sorted(self._buf)
            return
        self._flush()
        # each run re-seeks before every block read, so the runs can share one file handle
        yield from heapq.merge(*(self._read_run(o, c) for o, c in self._runs))

    def hexdigest(self) -> str:
        """The root (``sha256:...``); call once, after the last :meth:`add`."""
        out = hashlib.sha256(b"[")
        first = True
        for d in self._sorted():
            out.update(b'"sha256:' + d.hex().encode("ascii") + b'"' if first else
                       b',"sha256:' + d.hex().encode("ascii") + b'"')
            first = False
        out.update(b"]")
        self.close()
        return PREFIX + out.hexdigest()

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._buf = []


class SubmissionKey:
    """``sha256_of({"submission": content_hash, "evidence": [hashes in order]})``, fed in order."""

    def __init__(self, content_hash: str) -> None:
        self._content = content_hash
        self._h = hashlib.sha256(b'{"evidence":[')
        self._first = True

    def add(self, h: str) -> None:
        _digest(h)  # a hash, so its canonical JSON is itself in quotes
        self._h.update(('"' if self._first else ',"').encode("ascii") + h.encode("ascii") + b'"')
        self._first = False

    def hexdigest(self) -> str:
        h = self._h.copy()
        h.update(b'],"submission":' + _json_str(self._content) + b"}")
        return PREFIX + h.hexdigest()


def _json_str(s: str) -> bytes:
    import json

    return json.dumps(s, ensure_ascii=False).encode("utf-8")
