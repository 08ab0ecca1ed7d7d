"""Stance counts and shares per target: the one implementation every table and figure uses.

Two shares answer two questions, so both are given:

- ``share`` is of the comments that *address* the target (favor + against + neutral):
  "of those who talk about China, how many oppose it?" (``none`` has no such share);
- ``share_all`` is of *all* comments, ``none`` included, so the four labels sum to 1:
  the quantity the corrected estimates (:mod:`.estimates`) are about.

The label classifier's errors bias both; :mod:`.estimates` corrects them with a coded
random sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..columns import DISPLAY_ORDER, NOT_ADDRESSED, stance_column

COUNT_SCHEMA = {
    "target": pl.String,
    "stance": pl.String,
    "count": pl.Int64,
    "share": pl.Float64,
    "share_all": pl.Float64,
    "n_addressing": pl.Int64,
    "n_total": pl.Int64,
}


def _counts(df: pl.DataFrame, key: str, groups: list[str], labels: Sequence[str]) -> pl.DataFrame:
    """Wide counts of one target per group (groups in order of first appearance)."""
    col = pl.col(stance_column(key))
    aggs = [
        *[(col == s).sum().cast(pl.Int64).alias(s) for s in labels],
        col.is_not_null().sum().cast(pl.Int64).alias("n_total"),
        (col == NOT_ADDRESSED).sum().cast(pl.Int64).alias("_none"),
    ]
    if not groups:
        return df.select(aggs)
    return df.group_by(groups, maintain_order=True).agg(aggs)


def stance_counts(
    df: pl.DataFrame,
    keys: Sequence[str],
    *,
    by: str | None = None,
    labels: Sequence[str] = DISPLAY_ORDER,
) -> pl.DataFrame:
    """Long table (group x) target x stance: count, share, share_all, n_addressing, n_total.

    ``n_total`` counts the comments with a label for the target (null labels, e.g. an
    uncoded cell, are left out); ``n_addressing`` those whose label is not ``none``.
    ``by`` names a column to count within (a topic, a thread, a user); groups come in
    order of first appearance, and within a group targets in ``keys`` order and labels
    in ``labels`` order.

    >>> df = pl.DataFrame({"stance_us": ["favor", "against", "none", "against"]})
    >>> stance_counts(df, ["us"]).select("stance", "count", "share", "share_all").rows()[:2]
    [('against', 2, 0.6666666666666666, 0.5), ('neutral', 0, 0.0, 0.0)]
    """
    groups = [by] if by else []
    parts = []
    for k_rank, key in enumerate(keys):
        wide = _counts(df, key, groups, labels).with_row_index("_group")
        long = wide.unpivot(
            index=[*groups, "_group", "n_total", "_none"],
            on=list(labels),
            variable_name="stance",
            value_name="count",
        )
        parts.append(long.with_columns(pl.lit(key).alias("target"), pl.lit(k_rank).alias("_t")))
    if not parts:
        schema = {**({by: df.schema[by]} if by else {}), **COUNT_SCHEMA}
        return pl.DataFrame(schema=schema)
    order = {s: i for i, s in enumerate(labels)}
    addressing = pl.col("n_total") - pl.col("_none")
    out = (
        pl.concat(parts)
        .with_columns(
            pl.col("stance").replace_strict(order, return_dtype=pl.Int64).alias("_s"),
            addressing.alias("n_addressing"),
        )
        .sort("_group", "_t", "_s")
        .with_columns(
            pl.when((pl.col("n_addressing") > 0) & (pl.col("stance") != NOT_ADDRESSED))
            .then(pl.col("count") / pl.col("n_addressing"))
            .otherwise(None)
            .alias("share"),
            pl.when(pl.col("n_total") > 0)
            .then(pl.col("count") / pl.col("n_total"))
            .otherwise(None)
            .alias("share_all"),
        )
    )
    return out.select(*groups, *COUNT_SCHEMA).cast(COUNT_SCHEMA)
