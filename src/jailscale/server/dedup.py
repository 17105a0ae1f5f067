"""Near-duplicate techniques: a submission's technique as a set of features, its MinHash signature,
and the estimated Jaccard similarity of two signatures.

Features (all lower-cased, punctuation dropped, white space collapsed, the ``{request}`` slot kept as
one word): the word 3-grams of the technique's text (template, turns, prefill, system prompt; the
name and description when there is no text, as for ``opaque`` attacks); the transform chain as
ordered pairs (``base64>rot13``) and single transforms; and the technique kind. Two templates that
differ in a few words share most 3-grams, so they score close to 1; the same chain of transforms
scores 1 on those features whatever the wording.

MinHash with 128 permutations (datasketch) estimates Jaccard similarity with a standard error of
about sqrt(J(1-J)/128) ≤ 0.045 (Broder 1997).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

from datasketch import MinHash

from ..formats import Technique

NUM_PERM = 128
SEED = 1
#: datasketch 2's hashing scheme; stored signatures were made with it.
SCHEME = "affine32"
SHINGLE = 3
_WORD = re.compile(r"[a-z0-9]+|\{request\}")


def normalise(text: str) -> list[str]:
    """Lower-case words, punctuation dropped; the request slot is one word."""
    return _WORD.findall(text.lower())


def features(t: Technique) -> set[str]:
    parts = [t.template or "", *(t.turns or []), t.prefill or "", t.system_prompt or ""]
    text = " ".join(p for p in parts if p) or f"{t.name} {t.description}"
    words = normalise(text)
    out = {f"kind:{t.kind}"}
    if len(words) < SHINGLE:
        out.update(f"w:{w}" for w in words)
    out.update("g:" + " ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
    chain = t.transforms or []
    out.update(f"t:{x}" for x in chain)
    out.update(f"tt:{a}>{b}" for a, b in itertools.pairwise(chain))
    return out


def signature(t: Technique) -> list[int]:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    for f in sorted(features(t)):
        m.update(f.encode("utf-8"))
    return [int(x) for x in m.hashvalues]


def similarity(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Estimated Jaccard similarity of the two feature sets (0.0 for unusable signatures)."""
    if len(a) != NUM_PERM or len(b) != NUM_PERM:
        return 0.0
    x = MinHash(seed=SEED, hashvalues=list(a), scheme=SCHEME)
    return float(x.jaccard(MinHash(seed=SEED, hashvalues=list(b), scheme=SCHEME)))
