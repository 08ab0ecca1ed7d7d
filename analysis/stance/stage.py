"""The stance stage: which method labels stance, toward which targets.

``add_stance(df, config, *, context)`` is what the pipeline calls. The method is chosen
in the configuration (``[stance] method``); every method adds the same columns (see
:mod:`readerscope.analysis.columns`):

- ``zeroshot``: the shipped target-masked pair model (:mod:`.zeroshot`), built to work on
  targets and text it never saw; the default for corpora it can label in reasonable time;
- ``model``: a model trained on your own coding (``readerscope stance train``, :mod:`.trained`);
- ``rules``: the transparent rule method (:mod:`.rules`), fast, but written on one thread
  and weak on others (see docs/stance.md);
- ``auto`` (default): ``zeroshot`` up to ``auto_model_upto`` comments, ``rules`` above, where
  the model would take too long on a CPU. The choice is said in the summary and manifest.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from ..checks import ConfigError, at_least, check_fields, choices
from ..context import StageContext
from .rules import RuleConfig, add_rule_stance
from .targets import Target, load_targets

METHODS = ("auto", "zeroshot", "model", "rules")
ZEROSHOT_PAIRS_PER_SECOND = 100
"""Rough CPU throughput of the zero-shot model on 2 quiet cores ((comment, target) pairs
per second; docs/stance.md), used only to say how long ``auto`` would have taken."""


@cache
def _targets(path: str | None) -> tuple[Target, ...]:
    return load_targets(path)


@dataclass(frozen=True)
class StanceConfig:
    """How stance is labelled.

    method: 'auto', 'zeroshot', 'model' or 'rules' (module docstring).
    targets_path: targets TOML (None: the bundled US, China, Japan); checked when the
        configuration is built, so a broken file fails before any stage runs.
    model_dir: the trained model for method 'model' (``readerscope stance train``).
    gate: 'all' runs a model on every (comment, target) pair (implied stance counts);
        'named' only where the target is named (faster; unnamed targets are 'none').
    auto_model_upto: largest corpus 'auto' gives to the zero-shot model.
    rules: the rule method's parameters.

    >>> StanceConfig(method="magic")
    Traceback (most recent call last):
    ...
    readerscope.analysis.checks.ConfigError: method: 'magic' is not a valid choice; choose one of 'auto', 'zeroshot', 'model', 'rules'
    """  # noqa: E501

    method: str = field(default="auto", metadata=choices(*METHODS))
    targets_path: str | None = None
    model_dir: str | None = None
    gate: str = field(default="all", metadata=choices("all", "named"))
    auto_model_upto: int = field(default=5_000, metadata=at_least(0))
    rules: RuleConfig = field(default_factory=RuleConfig)

    def __post_init__(self) -> None:
        check_fields(self)
        if self.method == "model" and not self.model_dir:
            raise ConfigError("model_dir", "method 'model' needs model_dir (--stance-model DIR)")
        try:
            _targets(self.targets_path)
        except ValueError as err:
            raise ConfigError("targets_path", str(err)) from None

    def targets(self) -> tuple[Target, ...]:
        """The stance targets (parsed once per path)."""
        return _targets(self.targets_path)


def resolve_method(config: StanceConfig, n_comments: int) -> tuple[StanceConfig, str]:
    """The concrete config 'auto' stands for at this corpus size, and why, in words."""
    if config.method != "auto":
        return config, f"{config.method} (as configured)"
    if n_comments <= config.auto_model_upto:
        why = f"zeroshot (auto: {n_comments:,} comments <= {config.auto_model_upto:,})"
        return dataclasses.replace(config, method="zeroshot"), why
    pairs = n_comments * len(config.targets())
    minutes = pairs / ZEROSHOT_PAIRS_PER_SECOND / 60
    why = (
        f"rules (auto: {n_comments:,} comments > {config.auto_model_upto:,}; the zero-shot "
        f"model would need about {minutes:,.0f} min on 2 CPU cores: --stance-method zeroshot "
        "to use it anyway)"
    )
    return dataclasses.replace(config, method="rules"), why


def method_label(config: StanceConfig) -> str:
    """The method in words, for the summary's labelling line and the manifests."""
    if config.method == "zeroshot":
        return "zero-shot model zeroshot-v1"
    if config.method == "model":
        return f"trained model {config.model_dir}"
    return "rules" if config.method == "rules" else "auto"


def add_stance(
    df: pl.DataFrame, config: StanceConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """``df`` plus, per target, stance_<key>, stance_<key>_score, stance_<key>_evidence.

    >>> df = pl.DataFrame({"thread_id": ["t"], "text": ["China is a great partner."]})
    >>> add_stance(df, StanceConfig(method="rules"))["stance_china"].to_list()
    ['favor']
    """
    config, _ = resolve_method(config or StanceConfig(), df.height)
    if config.method == "rules":
        return add_rule_stance(df, config.rules, targets=config.targets(), context=context)
    exclude = config.rules.exclude_quotes
    if config.method == "zeroshot":
        from .zeroshot import ZeroShotConfig, add_zeroshot_stance

        cfg = ZeroShotConfig(config.targets_path, gate=config.gate, exclude_quotes=exclude)
        return add_zeroshot_stance(df, cfg, context=context)
    from .trained import ModelStanceConfig, add_model_stance

    cfg = ModelStanceConfig(str(config.model_dir), config.targets_path, config.gate, exclude)
    return add_model_stance(df, cfg, context=context)
