"""The stance stage: which method labels stance, toward which targets.

``add_stance(df, config, *, context)`` is what the pipeline calls. The method is chosen
in the configuration (``[stance] method``); every method adds the same columns (see
:mod:`readerscope.analysis.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import polars as pl

from ..checks import ConfigError, check_fields, choices
from ..context import StageContext
from .rules import RuleConfig, add_rule_stance
from .targets import Target, load_targets

METHODS = ("rules",)


@cache
def _targets(path: str | None) -> tuple[Target, ...]:
    return load_targets(path)


@dataclass(frozen=True)
class StanceConfig:
    """How stance is labelled.

    method: 'rules' (the transparent rule method, :mod:`.rules`).
    targets_path: targets TOML (None: the bundled US, China, Japan); checked when the
        configuration is built, so a broken file fails before any stage runs.
    rules: the rule method's parameters.

    >>> StanceConfig(method="magic")
    Traceback (most recent call last):
    ...
    readerscope.analysis.checks.ConfigError: method: 'magic' is not a valid choice; choose one of 'rules'
    """  # noqa: E501

    method: str = field(default="rules", metadata=choices(*METHODS))
    targets_path: str | None = None
    rules: RuleConfig = field(default_factory=RuleConfig)

    def __post_init__(self) -> None:
        check_fields(self)
        try:
            _targets(self.targets_path)
        except ValueError as err:
            raise ConfigError("targets_path", str(err)) from None

    def targets(self) -> tuple[Target, ...]:
        """The stance targets (parsed once per path)."""
        return _targets(self.targets_path)


def add_stance(
    df: pl.DataFrame, config: StanceConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """``df`` plus, per target, stance_<key>, stance_<key>_score, stance_<key>_evidence.

    >>> df = pl.DataFrame({"thread_id": ["t"], "text": ["China is a great partner."]})
    >>> add_stance(df)["stance_china"].to_list()
    ['favor']
    """
    config = config or StanceConfig()
    return add_rule_stance(df, config.rules, targets=config.targets(), context=context)
