"""Helpers shared by the figure modules: targets, stance columns, validation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from ..analysis.columns import stance_column, stance_keys


class TargetLike(Protocol):
    """Anything with a ``key`` (column suffix); the label comes from ``label`` or ``name``."""

    key: str


@dataclass(frozen=True)
class PlotTarget:
    """A stance target as the figures need it: column key and display label."""

    key: str
    label: str


_DEFAULT_LABELS = {"us": "US", "china": "China", "japan": "Japan"}


def resolve_targets(df: pl.DataFrame, targets: Sequence[TargetLike] | None) -> list[PlotTarget]:
    """The targets to plot: those given, else every target with a stance column in ``df``.

    Raises ValueError when a target has no stance column, so a table that skipped the
    stance stage fails with a message instead of an empty plot.
    """
    if targets is None:
        found = [PlotTarget(k, _DEFAULT_LABELS.get(k, k.title())) for k in stance_keys(df)]
    else:
        found = [
            PlotTarget(t.key, getattr(t, "label", None) or getattr(t, "name", None) or t.key)
            for t in targets
        ]
    if not found:
        raise ValueError("the table has no stance_<target> columns: run the stance stage first")
    for t in found:
        require(df, stance_column(t.key))
    return found


def require(df: pl.DataFrame, *columns: str) -> None:
    """Raise ValueError naming the missing analysis columns."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"the table lacks column(s) {', '.join(missing)}: run the analysis stage that adds them"
        )


def user_name(expr: pl.Expr) -> pl.Expr:
    """Null user names shown as '(no name)' so they are counted, not dropped."""
    return expr.fill_null("(no name)")
