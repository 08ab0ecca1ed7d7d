"""One configuration object for the whole analysis, loadable from TOML.

Each stage owns a small frozen dataclass next to its code; ``AnalysisConfig``
composes them. A TOML file overrides any field by stage table::

    [stance]
    targets_path = "my_targets.toml"

    [topics]
    random_state = 7

    [embedding]
    backend = "static"

Unknown keys are an error (a typo must not be silently ignored).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from .embeddings.cache import EmbeddingConfig
from .replies.inference import ReplyConfig
from .sentiment.vader import SentimentConfig
from .stance.rules import StanceConfig
from .topics.model import TopicConfig


@dataclass(frozen=True)
class RunConfig:
    """How the per-comment stages run: batch size and worker processes (results identical)."""

    n_jobs: int = 1
    batch_size: int = 20_000
    topics: bool = True
    replies: bool = True


@dataclass(frozen=True)
class AnalysisConfig:
    """Every stage's settings. ``embedding`` is shared by replies and topics."""

    sentiment: SentimentConfig = field(default_factory=SentimentConfig)
    stance: StanceConfig = field(default_factory=StanceConfig)
    replies: ReplyConfig = field(default_factory=ReplyConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    run: RunConfig = field(default_factory=RunConfig)


def _override(obj: Any, values: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(type(obj))
    names = {f.name for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in names:
            raise ValueError(f"unknown setting {where}.{key} (known: {', '.join(sorted(names))})")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current) and isinstance(value, dict):
            changes[key] = _override(current, value, f"{where}.{key}")
        elif isinstance(value, list) and "tuple" in str(hints.get(key, "")):
            changes[key] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        else:
            changes[key] = value
    return dataclasses.replace(obj, **changes)


def config_from_dict(values: dict[str, Any], base: AnalysisConfig | None = None) -> AnalysisConfig:
    """Apply nested overrides (as parsed from TOML) to ``base`` (default: the defaults)."""
    return _override(base or AnalysisConfig(), values, "config")


def load_config(path: str | Path | None) -> AnalysisConfig:
    """Read a TOML configuration file; None gives the defaults."""
    if path is None:
        return AnalysisConfig()
    with open(path, "rb") as fh:
        return config_from_dict(tomllib.load(fh))


def config_to_dict(config: AnalysisConfig) -> dict[str, Any]:
    """Plain-data view of the configuration, for manifests (seeds included)."""
    return dataclasses.asdict(config)
