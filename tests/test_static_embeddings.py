"""Static (model2vec-distilled MiniLM) embeddings and the sharded embedding cache.

The first test in a fresh environment distils the model (~30-60 s on 2 cores, once
per user: it is cached under ~/.cache/readerscope/static-models).
"""

from __future__ import annotations

import numpy as np
import pytest
from readerscope.analysis.embeddings import EmbeddingConfig, embed, resolve_backend
from readerscope.analysis.embeddings.backends import BACKENDS, Backend
from readerscope.analysis.embeddings.store import EmbeddingCache, text_keys

TEXTS = [
    "Japan should not be threatened by Trump period.",
    "Tariffs on Japanese cars will hurt Toyota and Honda.",
    "China is rallying support from tariff-threatened countries.",
    "The seafood ban from Beijing is political, not about safety.",
    "I love the cherry blossoms in Kyoto every spring.",
    "",
]


@pytest.fixture(scope="module")
def static_vectors():
    return embed(TEXTS, EmbeddingConfig(backend="static", use_cache=False))


def test_static_backend_registers_and_gives_unit_rows(static_vectors):
    assert "static" in BACKENDS
    assert static_vectors.dtype == np.float32
    assert static_vectors.shape == (len(TEXTS), 256)
    norms = np.linalg.norm(static_vectors[:-1], axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert not np.any(static_vectors[-1])  # empty text: zero vector, not NaN


def test_static_is_deterministic_and_order_independent(static_vectors):
    again = embed(list(reversed(TEXTS)), EmbeddingConfig(backend="static", use_cache=False))
    assert np.array_equal(again[::-1], static_vectors)


def test_static_neighbours_agree_with_minilm_on_topic(static_vectors):
    """Real model, real texts: the trade comments sit closer together than to Kyoto."""
    sims = static_vectors @ static_vectors.T
    assert sims[0, 1] > sims[0, 4]
    assert sims[1, 2] > sims[1, 4]
    minilm = embed(TEXTS[:5], EmbeddingConfig(backend="minilm", use_cache=False))
    m = minilm @ minilm.T
    # The two spaces order the 10 sentence pairs alike (Spearman correlation).
    iu = np.triu_indices(5, k=1)
    ranks_static = np.argsort(np.argsort(sims[:5, :5][iu]))
    ranks_minilm = np.argsort(np.argsort(m[iu]))
    assert np.corrcoef(ranks_static, ranks_minilm)[0, 1] > 0.5


def test_auto_switches_to_static_above_threshold():
    config = EmbeddingConfig(backend="auto", auto_static_above=100, auto_numpy_upto=0)
    assert resolve_backend(config, 100) == "minilm"
    assert resolve_backend(config, 101) == "static"


def test_cache_round_trip_reuses_vectors_without_encoding(tmp_path, static_vectors, monkeypatch):
    config = EmbeddingConfig(backend="static", cache_dir=str(tmp_path))
    first = embed(TEXTS * 3, config)
    assert np.array_equal(first[: len(TEXTS)], static_vectors)
    real = BACKENDS["static"]
    calls: list[int] = []

    def counting(texts, cfg):
        calls.append(len(texts))
        return real.encode(texts, cfg)

    monkeypatch.setitem(BACKENDS, "static", Backend("static", real.model_id, counting))
    second = embed(TEXTS, config)
    third = embed([*TEXTS, "A brand new comment about the yen."], config)
    assert np.array_equal(second, static_vectors)
    assert np.array_equal(third[:-1], static_vectors)
    assert calls == [1]  # only the new text was encoded


def test_cache_oldest_copy_wins_and_corrupt_shards_are_ignored(tmp_path):
    cache = EmbeddingCache(tmp_path, "model-x")
    keys = text_keys("model-x", ["a", "b"])
    cache.add(keys, np.array([[1, 0], [0, 1]], dtype=np.float32))
    cache.add(keys[:1], np.array([[9, 9]], dtype=np.float32))  # a later, racing writer
    found, vecs = cache.lookup(text_keys("model-x", ["b", "zzz", "a"]))
    assert found.tolist() == [True, False, True]
    assert vecs.tolist() == [[0, 1], [1, 0]]
    # A shard whose vectors are truncated is skipped, not trusted.
    broken = cache.add(text_keys("model-x", ["c"]), np.array([[5, 5]], dtype=np.float32))
    vec_file = broken.with_name(broken.name.replace(".keys.npy", ".vecs.npy"))
    vec_file.write_bytes(vec_file.read_bytes()[:20])
    found, _ = cache.lookup(text_keys("model-x", ["c", "a"]))
    assert found.tolist() == [False, True]
    # Another model's vectors are never returned.
    other, none = EmbeddingCache(tmp_path, "model-y").lookup(text_keys("model-y", ["a"]))
    assert other.tolist() == [False] and none is None


def test_many_small_writes_are_compacted_and_still_found(tmp_path):
    """BERTopic embeds words once per topic: thousands of tiny writes must stay cheap."""
    cache = EmbeddingCache(tmp_path, "model-z")
    n = EmbeddingCache.COMPACT_AT + 5
    for i in range(n):
        cache.add(text_keys("model-z", [f"w{i}"]), np.array([[i, -i]], dtype=np.float32))
    assert len(cache.shards()) < EmbeddingCache.COMPACT_AT
    queries = [f"w{i}" for i in range(n)]
    # A fresh process view (no in-memory index) reads the compacted shards the same way.
    from readerscope.analysis.embeddings import store as emb_module

    emb_module._INDEXES.clear()
    found, vecs = EmbeddingCache(tmp_path, "model-z").lookup(text_keys("model-z", queries))
    assert found.all()
    assert vecs[:, 0].tolist() == list(range(n))


def test_small_writes_scan_the_shards_only_every_compact_at_writes(tmp_path):
    """The reply stage writes one small shard per thread: scanning every shard on each
    write made a 1M-comment corpus (4,708 threads) quadratic."""
    scans = []

    class Counting(EmbeddingCache):
        def _compact_small(self) -> None:
            scans.append(len(self.shards()))
            super()._compact_small()

    cache = Counting(tmp_path, "model-c")
    for i in range(3 * EmbeddingCache.COMPACT_AT + 1):
        cache.add(text_keys("model-c", [f"t{i}"]), np.array([[i, i]], dtype=np.float32))
    assert len(scans) == 3
    found, _ = cache.lookup(text_keys("model-c", [f"t{i}" for i in range(193)]))
    assert found.all()
