"""The ONNX Runtime MiniLM must give sentence-transformers' vectors within FP32_TOL."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("onnxruntime")  # optional extra 'onnx'; in 'dev', so CI runs these

from readerscope.analysis.embeddings import EmbeddingConfig, embed
from readerscope.analysis.embeddings import minilm_onnx as mo
from readerscope.analysis.embeddings.minilm import load_minilm, minilm_path
from readerscope.comments import read_thread

pytestmark = pytest.mark.slow  # one export (~6 s) and the torch reference

SEED = list(read_thread().comments["text"])
EDGE = ["", "   \n\t ", "🙂🇯🇵 emoji only 👍🏽", "日本の首相は中国を批判した。", "a"]
TEXTS = [*SEED, *EDGE, " ".join(SEED), "word " * 300]

FP32_TOL = 1e-5  # per element; measured max |diff| ~2e-7 (float32 noise), as numpy's encoder


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def model(export_dir) -> mo.MiniLMOnnx:
    return mo.MiniLMOnnx(mo.onnx_model_file(export_dir), minilm_path())


@pytest.fixture(scope="module")
def vectors(model: mo.MiniLMOnnx) -> np.ndarray:
    return model.encode(TEXTS)


def test_equals_sentence_transformers(vectors: np.ndarray) -> None:
    ref = load_minilm().encode(TEXTS, normalize_embeddings=True, show_progress_bar=False)
    assert vectors.shape == ref.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    diff = np.abs(vectors - ref).max(axis=1)
    assert diff.max() <= FP32_TOL, {TEXTS[i][:30]: float(diff[i]) for i in np.argsort(-diff)[:3]}
    assert (vectors * ref).sum(axis=1).min() > 0.99999
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_vector_does_not_depend_on_batch(model: mo.MiniLMOnnx, vectors) -> None:
    assert np.array_equal(model.encode(TEXTS[::-1])[::-1], vectors)
    alone = np.stack([model.encode([t])[0] for t in SEED[:8]])
    assert np.array_equal(alone, vectors[:8])  # one text per run: bytes, not just close
    assert model.encode([]).shape == (0, 384)


def test_batched_mode_changes_only_float_noise(export_dir, vectors) -> None:
    batched = mo.MiniLMOnnx(mo.onnx_model_file(export_dir), minilm_path(), max_batch=64)
    np.testing.assert_allclose(batched.encode(TEXTS), vectors, atol=1e-6)


_CHILD = (
    "import hashlib, sys; from pathlib import Path;"
    "from readerscope.analysis.embeddings.minilm_onnx import load_minilm_onnx;"
    "from readerscope.comments import read_thread;"
    "v = load_minilm_onnx(Path(sys.argv[1])).encode(list(read_thread().comments['text']));"
    "print(hashlib.sha256(v.tobytes()).hexdigest())"
)


def test_byte_identical_in_a_fresh_process(export_dir, vectors: np.ndarray) -> None:
    here = hashlib.sha256(vectors[: len(SEED)].tobytes()).hexdigest()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(export_dir)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == here


def test_export_is_done_once_and_named_by_weights(export_dir) -> None:
    first = mo.onnx_model_file(export_dir)
    stamp = first.stat().st_mtime_ns
    again = mo.onnx_model_file(export_dir)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert first.name.endswith(f"-{mo.EXPORT_VERSION}.onnx")
    assert not list(export_dir.glob("*.tmp"))  # atomic writes leave no debris


def test_backend_exports_into_the_embedding_cache(tmp_path, vectors: np.ndarray) -> None:
    cfg = EmbeddingConfig(backend="minilm-onnx", cache_dir=str(tmp_path))
    got = embed(SEED, cfg)
    assert np.array_equal(got, vectors[: len(SEED)])
    assert list((tmp_path / "embeddings" / "onnx").glob("minilm-*.onnx"))
    assert np.array_equal(embed(SEED, cfg), got)  # rerun: read from the vector cache


def test_missing_onnxruntime_says_how_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"readerscope\[onnx\]"):
        mo.load_minilm_onnx.__wrapped__(tmp_path)
    assert not list(tmp_path.iterdir())  # refused before exporting anything
