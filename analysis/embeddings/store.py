"""The on-disk embedding cache: append-only shards of vectors keyed by (model, text).

A second run over the same comments does not embed again; several processes may share
one cache directory safely (see :class:`EmbeddingCache`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np


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
        self.small_writes = 0  # small shards this process wrote here (see EmbeddingCache.add)

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

    def _known(self) -> _Index:
        """This process's index of the directory, as far as it has read it."""
        return _INDEXES.setdefault(str(self.dir.resolve()), _Index())

    def _index(self) -> _Index:
        index = self._known()
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
            # Count this process's small writes instead of scanning every shard on each
            # one: the scan made many small writes (one per thread in the reply stage)
            # quadratic. Other processes' small shards are merged at the next count.
            index = self._known()
            index.small_writes += 1
            if index.small_writes % self.COMPACT_AT == 0:
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
