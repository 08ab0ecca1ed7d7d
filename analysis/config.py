"""One configuration object for the whole analysis, loadable from TOML.

Each stage owns a small frozen dataclass next to its code; ``AnalysisConfig`` composes
them, plus how the run goes (``[run]``) and which stages run (``[stages]``). A TOML file
overrides any field by stage table::

    [stance]
    targets_path = "my_targets.toml"

    [stance.rules]
    threshold = 0.3

    [topics]
    random_state = 7

    [embedding]
    backend = "static"

Every value is checked when the configuration is built (types, ranges, choices), so a
typo or a wrong type fails at once with one line naming the setting, before any stage
runs. Unknown keys are an error too: a typo must not be silently ignored.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from .checks import ConfigError, at_least, check_fields, choices
from .embeddings.config import EmbeddingConfig
from .replies.inference import ReplyConfig
from .replies.networks import NetworkConfig
from .sentiment.vader import SentimentConfig
from .stance.stage import StanceConfig
from .topics.config import TopicConfig


@dataclass(frozen=True)
class RunConfig:
    """How the run goes (never what it computes: results are identical for any value,
    except topics with engine 'ray' above ``topics.fit_sample_size``: docs/scale.md).

    n_jobs: worker processes for the per-comment stages and parsing (-1: every core).
    batch_size: rows per batch of the per-comment stages.
    engine: 'local' (this machine's processes) or 'ray' (Ray Data, one machine or a cluster).
    ray_address: the Ray cluster to join (None: Ray's own rule, else a new local instance).
    """

    n_jobs: int = 1
    batch_size: int = field(default=20_000, metadata=at_least(1))
    engine: str = field(default="local", metadata=choices("local", "ray"))
    ray_address: str | None = None

    def __post_init__(self) -> None:
        check_fields(self)
        if self.n_jobs == 0 or self.n_jobs < -1:
            raise ConfigError(
                "n_jobs",
                f"must be a positive number of processes, or -1 for every core; got {self.n_jobs}",
            )


@dataclass(frozen=True)
class StagesConfig:
    """Which optional stages run (sentiment and stance always do)."""

    replies: bool = True
    topics: bool = True

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True)
class AnalysisConfig:
    """Every stage's settings; ``embedding`` is the one embedding setting of the run."""

    sentiment: SentimentConfig = field(default_factory=SentimentConfig)
    stance: StanceConfig = field(default_factory=StanceConfig)
    replies: ReplyConfig = field(default_factory=ReplyConfig)
    networks: NetworkConfig = field(default_factory=NetworkConfig)
    topics: TopicConfig = field(default_factory=TopicConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    run: RunConfig = field(default_factory=RunConfig)
    stages: StagesConfig = field(default_factory=StagesConfig)

    def __post_init__(self) -> None:
        check_fields(self)


_MOVED = {"run.topics": "stages.topics", "run.replies": "stages.replies"}


def _value(value: Any, hint: Any) -> Any:
    """TOML lists become tuples where the field is a tuple (e.g. ngram_range)."""
    if isinstance(value, list) and "tuple" in str(hint):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def _hint(obj: Any, key: str, here: str) -> str:
    """Where an unknown ``key`` probably belongs: a setting that moved, or one of a table
    inside ``obj`` (``[stance] threshold`` is ``[stance.rules] threshold``)."""
    if here in _MOVED:
        return f" (it moved to {_MOVED[here]})"
    for f in dataclasses.fields(obj):
        inner = getattr(obj, f.name)
        if dataclasses.is_dataclass(inner) and key in {g.name for g in dataclasses.fields(inner)}:
            table = here.rsplit(".", 1)[0] + "." + f.name if "." in here else f.name
            return f" (did you mean [{table}] {key}?)"
    return ""


def _override(obj: Any, values: Any, where: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(where, f"must be a table of settings, got {values!r}")
    hints = get_type_hints(type(obj))
    names = {f.name for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        here = f"{where}.{key}" if where else key
        if key not in names:
            raise ConfigError(
                here, f"unknown setting{_hint(obj, key, here)}; known: {', '.join(sorted(names))}"
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            changes[key] = _override(current, value, here)
        else:
            changes[key] = _value(value, hints.get(key, ""))
    try:
        return dataclasses.replace(obj, **changes)
    except ConfigError as err:
        raise err.under(where) from None


def config_from_dict(values: dict[str, Any], base: AnalysisConfig | None = None) -> AnalysisConfig:
    """Apply nested overrides (as parsed from TOML) to ``base`` (default: the defaults).

    >>> config_from_dict({"run": {"n_jobs": "two"}})
    Traceback (most recent call last):
    ...
    readerscope.analysis.checks.ConfigError: run.n_jobs: must be an integer, got 'two' (str)
    """
    return _override(base or AnalysisConfig(), values, "")


def load_config(path: str | Path | None) -> AnalysisConfig:
    """Read a TOML configuration file; None gives the defaults. ConfigError when unusable."""
    if path is None:
        return AnalysisConfig()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "is a folder; give the configuration TOML file") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror or err})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(str(path), f"not valid TOML ({err})") from None
    return config_from_dict(data)


def config_to_dict(config: AnalysisConfig) -> dict[str, Any]:
    """Plain-data view of the configuration, for manifests (seeds included)."""
    return dataclasses.asdict(config)
