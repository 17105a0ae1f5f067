"""This machine's sealing secret, and the seals the store puts on what it reuses without checking it
again: cached verdicts (``verdicts.seal``) and a run's stored outputs (``runner.rerun``).

A cache that anyone with write access to the database can edit is a way to lower a score: rewrite the
stored verdicts of a jailbreak to 'refused' and the next fresh assessment of the same evidence reuses
them. So every reused row carries an HMAC under a secret kept in the jailscale home folder, not in the
database; a row whose seal does not verify (edited, stored by another machine, or stored before seals
existed) is not reused: the transcript is judged again. The secret is made on first use (32 random
bytes, readable by its owner only); when it cannot be read or made, nothing is sealed and nothing is
reused."""

from __future__ import annotations

import functools
import hmac
import os
import secrets

from ._paths import home

#: The file in the jailscale home folder that holds the secret (named for its first use, kept so).
SEAL_FILE = "rerun-seal.key"


def local_secret() -> bytes | None:
    """This machine's sealing secret (``$JAILSCALE_HOME/rerun-seal.key``), made on first use; None when
    it cannot be read or made (then nothing is sealed and nothing sealed is trusted)."""
    path = home() / SEAL_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        data = path.read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


def verdict_seal(secret: bytes, transcript_hash: str, judge: str, version: str, config_hash: str,
                 input_hash: str, verdict_json: str) -> str:
    """The seal of one cached verdict: an HMAC over its whole key and the verdict's canonical JSON
    (``Verdict.model_dump_json()``, the same text whichever database kept it), each part prefixed by
    its length, so no two keys frame to the same message. (Until 2026-11-30 the parts were framed as
    a JSON list, which cost more than the HMAC on every stored and every reused verdict; a row sealed
    so no longer verifies, and is judged again once, as any unsealed row.)"""
    t, j, v, c, i, b = transcript_hash, judge, version, config_hash, input_hash, verdict_json
    mac = _keyed(secret).copy()
    mac.update(f"{len(t)}:{t}{len(j)}:{j}{len(v)}:{v}{len(c)}:{c}{len(i)}:{i}{len(b)}:{b}".encode())
    return "hmac-sha256:" + mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 keyed with ``secret`` and fed nothing: each seal copies it, instead of deriving
    the padded key again (``hmac.digest`` does, per call: a third of a seal's cost, and every stored
    and every reused verdict is sealed or checked once)."""
    return hmac.new(secret, digestmod="sha256")
