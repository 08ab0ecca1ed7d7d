"""The numpy MiniLM must give sentence-transformers' vectors (to float noise), byte-stable."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from readerscope.analysis.embeddings import EmbeddingConfig, embed, resolve_backend
from readerscope.analysis.embeddings import minilm_numpy as mn
from readerscope.analysis.embeddings.minilm import load_minilm
from readerscope.comments import read_thread

SEED = list(read_thread().comments["text"])
LONG = " ".join(SEED)  # thousands of word pieces: must be cut to 256
EDGE = [
    "",
    "   \n\t ",
    "🙂🇯🇵 emoji only 👍🏽",
    "日本の首相は中国を批判した。",
    "Ça coûte très cher — naïve façade, Ærø",
    "a",
    LONG,
    "word " * 300,
    "x" * 500,
]
TEXTS = SEED + EDGE

ATOL = 2e-6  # measured max |diff| 2.8e-7 (float32 noise); cosines >= 0.9999999


@pytest.fixture(scope="module")
def model() -> mn.MiniLMNumpy:
    return mn.load_minilm_numpy()


@pytest.fixture(scope="module")
def vectors(model: mn.MiniLMNumpy) -> np.ndarray:
    return model.encode(TEXTS)


def test_same_word_pieces_as_sentence_transformers(model: mn.MiniLMNumpy) -> None:
    features = load_minilm().tokenize(TEXTS)
    ref = [
        [int(i) for i, keep in zip(row, mask, strict=True) if keep]
        for row, mask in zip(features["input_ids"], features["attention_mask"], strict=True)
    ]
    assert model.tokenize(TEXTS) == ref


def test_equals_sentence_transformers(vectors: np.ndarray) -> None:
    ref = load_minilm().encode(TEXTS, normalize_embeddings=True, show_progress_bar=False)
    assert vectors.shape == ref.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    diff = np.abs(vectors - ref).max(axis=1)
    cos = (vectors * ref).sum(axis=1)
    assert diff.max() < ATOL, {TEXTS[i][:30]: float(diff[i]) for i in np.argsort(-diff)[:3]}
    assert cos.min() > 0.99999
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_long_text_truncated_to_256_word_pieces(model: mn.MiniLMNumpy) -> None:
    ids = model.tokenize([LONG])[0]
    assert model.max_seq_length == 256
    assert len(ids) == 256 and ids[0] == 101 and ids[-1] == 102  # [CLS] ... [SEP]
    longer = model.encode([LONG, LONG + " and many more words after the cut " * 20])
    assert np.array_equal(longer[0], longer[1])  # words past the cut change nothing


def test_empty_string_is_cls_sep_and_a_unit_vector(model: mn.MiniLMNumpy) -> None:
    assert model.tokenize(["", "  \n "]) == [[101, 102], [101, 102]]
    vec = model.encode([""])
    assert np.isfinite(vec).all() and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-6
    assert model.encode([]).shape == (0, 384)


def test_vector_does_not_depend_on_batch(model: mn.MiniLMNumpy, vectors: np.ndarray) -> None:
    alone = np.stack([model.encode([t])[0] for t in SEED[:10]])
    assert np.array_equal(alone, vectors[:10])
    assert np.array_equal(model.encode(TEXTS[::-1])[::-1], vectors)


def test_chunking_does_not_change_bits(monkeypatch, vectors: np.ndarray) -> None:
    monkeypatch.setattr(mn, "MAX_CHUNK_TOKENS", 300)
    assert np.array_equal(mn.load_minilm_numpy().encode(TEXTS), vectors)


_CHILD = (
    "import hashlib; from readerscope.analysis.embeddings.minilm_numpy import load_minilm_numpy;"
    "from readerscope.comments import read_thread;"
    "v = load_minilm_numpy().encode(list(read_thread().comments['text']));"
    "print(hashlib.sha256(v.tobytes()).hexdigest())"
)


def test_byte_identical_across_processes_and_blas_threads(vectors: np.ndarray) -> None:
    here = hashlib.sha256(vectors[: len(SEED)].tobytes()).hexdigest()
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == here, f"{threads} BLAS threads"


def test_erf_matches_math_erf() -> None:
    x = np.linspace(-6, 6, 20001, dtype=np.float32)
    ref = np.array([math.erf(float(v)) for v in x])
    assert np.abs(mn.erf(x).astype(np.float64) - ref).max() < 5e-7


def test_registered_backend_and_auto_choice(vectors: np.ndarray) -> None:
    cfg = EmbeddingConfig(backend="minilm-numpy", use_cache=False)
    assert np.array_equal(embed(SEED, cfg), vectors[: len(SEED)])
    auto = EmbeddingConfig(auto_numpy_upto=2000, auto_static_above=20_000)
    assert resolve_backend(auto, len(SEED)) == "minilm-numpy"
    assert resolve_backend(auto, 2001) == "minilm"
    assert resolve_backend(auto, 20_001) == "static"
