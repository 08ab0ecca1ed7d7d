"""How comment texts are embedded: the one embedding setting every stage shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks import at_least, check_fields, choices

BACKEND_NAMES = ("auto", "minilm", "minilm-numpy", "minilm-onnx", "static")


def user_cache_dir() -> Path:
    """readerscope's per-user cache directory (platformdirs), not the working directory."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("readerscope", appauthor=False))


@dataclass(frozen=True)
class EmbeddingConfig:
    """How to embed comment texts.

    backend: 'minilm' (sentence-transformers, exact), 'minilm-numpy' (the same MiniLM in
        numpy: equal vectors to float noise, no torch import), 'minilm-onnx' (the same MiniLM
        in ONNX Runtime, equal to float noise and faster; needs the optional ``onnx`` extra;
        exports the model once into ``<cache_dir>/embeddings/onnx``), 'static' (fast,
        approximate), or 'auto' (minilm-numpy up to ``auto_numpy_upto`` texts, minilm up
        to ``auto_static_above``, static above).
    use_cache: cache vectors on disk (``<cache_dir>/embeddings``).
    cache_dir: readerscope's cache root, for vectors and the distilled static model
        (None: the user cache directory, see :func:`user_cache_dir`).
    batch_size: encoder batch size. device: torch device for 'minilm' (None: its choice).

    >>> EmbeddingConfig(backend="bogus")
    Traceback (most recent call last):
    ...
    readerscope.analysis.checks.ConfigError: backend: 'bogus' is not a valid choice; choose one of 'auto', 'minilm', 'minilm-numpy', 'minilm-onnx', 'static'
    """  # noqa: E501

    backend: str = field(default="auto", metadata=choices(*BACKEND_NAMES))
    auto_static_above: int = field(default=20_000, metadata=at_least(0))
    auto_numpy_upto: int = field(default=2_000, metadata=at_least(0))
    use_cache: bool = True
    cache_dir: str | None = None
    batch_size: int = field(default=64, metadata=at_least(1))
    device: str | None = None

    def __post_init__(self) -> None:
        check_fields(self)

    def cache_root(self) -> Path | None:
        """Directory of the vector cache, or None when caching is off."""
        if not self.use_cache:
            return None
        return (Path(self.cache_dir) if self.cache_dir else user_cache_dir()) / "embeddings"


def resolve_backend(config: EmbeddingConfig, n_texts: int) -> str:
    """The backend 'auto' stands for at this corpus size.

    >>> resolve_backend(EmbeddingConfig(), 37)
    'minilm-numpy'
    """
    if config.backend != "auto":
        return config.backend
    if n_texts > config.auto_static_above:
        return "static"
    return "minilm-numpy" if n_texts <= config.auto_numpy_upto else "minilm"
