"""Sentence embeddings: backends (MiniLM, numpy MiniLM, static) and an on-disk cache."""

from .cache import EmbeddingConfig, embed

__all__ = ["EmbeddingConfig", "embed"]
