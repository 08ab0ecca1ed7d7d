"""Sentence embeddings: backends (MiniLM, numpy MiniLM, static) and an on-disk cache."""

from .config import EmbeddingConfig, resolve_backend
from .encode import embed

__all__ = ["EmbeddingConfig", "embed", "resolve_backend"]
