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


INTERVAL_TEXT = {
    "naive": "naive 95% interval (Wilson; ignores classifier error)",
    "corrected": "corrected 95% interval",
    "coded": "coded-only 95% interval",
}
CENSUS_INTERVAL = "coded-only 95% interval (census: the share itself is exact for these comments)"


def plotted_estimates(table: pl.DataFrame, by: Sequence[str], estimator: str) -> pl.DataFrame:
    """The rows of an estimate table (:mod:`readerscope.analysis.stance.corrected`) that a
    figure draws: ``estimator``'s estimate with the interval its whiskers show, named in
    ``interval``. A census's corrected share is exact (lower = upper, nothing to draw), so
    its whiskers show the coded-only interval, which treats the comments as a sample of
    comments like them; ``interval`` says so."""
    from ..analysis.stance.estimates import CENSUS

    keys = [*by, "label"]
    coded = table.filter(pl.col("estimator") == "coded").select(
        *keys, pl.col("lower").alias("_coded_lower"), pl.col("upper").alias("_coded_upper")
    )
    census = pl.col("method").fill_null("").str.starts_with(CENSUS)
    out = table.filter(pl.col("estimator") == estimator).join(
        coded, on=keys, how="left", maintain_order="left"
    )
    return out.with_columns(
        pl.when(census).then("_coded_lower").otherwise("lower").alias("lower"),
        pl.when(census).then("_coded_upper").otherwise("upper").alias("upper"),
        pl.when(census)
        .then(pl.lit(CENSUS_INTERVAL))
        .otherwise(pl.lit(INTERVAL_TEXT[estimator]))
        .alias("interval"),
    ).drop("_coded_lower", "_coded_upper")
