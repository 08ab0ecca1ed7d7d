"""The embedding backends, in one explicit table (nothing registers itself on import)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .config import BACKEND_NAMES, EmbeddingConfig
from .minilm import MINILM_ID, encode_minilm
from .minilm_numpy import MINILM_NUMPY_ID, encode_numpy
from .minilm_onnx import MINILM_ONNX_ID, encode_onnx, prepare_onnx
from .static import encode_static, load_static, static_model_id

Encoder = Callable[[Sequence[str], EmbeddingConfig], np.ndarray]


@dataclass(frozen=True)
class Backend:
    """An encoder and the id its vectors are cached under (vectors of different models or
    implementations never share a cache entry)."""

    name: str
    model_id: Callable[[], str]
    encode: Encoder
    prepare: Callable[[EmbeddingConfig], object] = lambda _config: None
    """Make the model ready on disk (distil, export) before worker processes start, so
    that they load it instead of each building it."""


BACKENDS: dict[str, Backend] = {
    "minilm": Backend("minilm", lambda: MINILM_ID, encode_minilm),
    "minilm-numpy": Backend("minilm-numpy", lambda: MINILM_NUMPY_ID, encode_numpy),
    "minilm-onnx": Backend("minilm-onnx", lambda: MINILM_ONNX_ID, encode_onnx, prepare_onnx),
    "static": Backend(
        "static", static_model_id, encode_static, lambda config: load_static(config.cache_dir)
    ),
}


def backend_for(name: str) -> Backend:
    """The backend called ``name`` (a resolved name: not 'auto')."""
    if name not in BACKENDS:
        known = ", ".join(n for n in BACKEND_NAMES if n != "auto")
        raise ValueError(f"unknown embedding backend {name!r}; choose one of {known}")
    return BACKENDS[name]
