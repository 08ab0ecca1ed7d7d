"""``embed``: texts in, L2-normalised vectors out, through the configured backend and cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .backends import backend_for
from .config import EmbeddingConfig, resolve_backend
from .store import EmbeddingCache, text_keys

ENCODE_CHUNK = 8192
"""Texts encoded (and cached) per step: an interrupted run keeps what it finished."""


def _embed_cached(
    cache_: EmbeddingCache,
    unique: list[str],
    inverse: np.ndarray,
    encode: Callable[[Sequence[str], EmbeddingConfig], np.ndarray],
    config: EmbeddingConfig,
) -> np.ndarray:
    """Encode what the cache lacks (chunk by chunk, each chunk cached at once), then read
    every row from the cache into one (n_texts, dim) matrix: the only large array."""
    keys = text_keys(cache_.model_id, unique)
    loc = cache_.locate(keys)
    todo = np.flatnonzero(loc < 0)
    for start in range(0, len(todo), ENCODE_CHUNK):
        chunk = todo[start : start + ENCODE_CHUNK]
        vecs = np.asarray(encode([unique[i] for i in chunk], config), dtype=np.float32)
        cache_.add(keys[chunk], vecs)
    if len(todo):
        loc[todo] = cache_.locate(keys[todo])
        if (loc[todo] < 0).any():  # e.g. the disk refused the shard
            raise OSError(f"embedding cache {cache_.dir} did not keep what was written")
    return cache_.gather(loc[inverse])


def embed(texts: Sequence[str], config: EmbeddingConfig | None = None) -> np.ndarray:
    """Embed ``texts`` (rows L2-normalised, float32), reusing cached vectors.

    Returns an array of shape (len(texts), dim). Identical texts are embedded once.
    """
    config = config or EmbeddingConfig()
    backend = backend_for(resolve_backend(config, len(texts)))
    model_id, encode = backend.model_id(), backend.encode
    if not len(texts):
        return encode([""], config)[:0]
    index: dict[str, int] = {}
    inverse = np.fromiter(
        (index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts)
    )
    unique = list(index)
    del index
    root = config.cache_root()
    cache_ = EmbeddingCache(root, model_id) if root is not None else None
    if cache_ is not None:
        return _embed_cached(cache_, unique, inverse, encode, config)
    out: np.ndarray | None = None
    for start in range(0, len(unique), ENCODE_CHUNK):
        chunk = unique[start : start + ENCODE_CHUNK]
        vecs = np.asarray(encode(chunk, config), dtype=np.float32)
        if out is None:
            out = np.empty((len(unique), vecs.shape[1]), dtype=np.float32)
        out[start : start + len(chunk)] = vecs
    assert out is not None
    if len(unique) == len(texts):  # no repeats: inverse is 0..n-1, skip a second n x dim copy
        return out
    return out[inverse]
