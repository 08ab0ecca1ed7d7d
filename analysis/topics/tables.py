"""Tables over topics: how each topic's comments stand toward each target."""

from __future__ import annotations

import polars as pl

from ..columns import STANCE_LABELS, stance_keys
from ..stance.shares import stance_counts


def topics_by_stance(df: pl.DataFrame) -> pl.DataFrame:
    """Per topic and stance target: counts and shares of each stance, mean sentiment.

    Shares are of the topic's comments with a label for the target (``share_all`` of
    :func:`~readerscope.analysis.stance.shares.stance_counts`; the four labels sum to 1);
    ``mean_sentiment`` is the mean ``sentiment_compound`` of the topic's comments (null if
    that column is absent).
    """
    if "topic" not in df.columns:
        raise ValueError("topics_by_stance needs the 'topic' column (run add_topics first)")
    keys = stance_keys(df)
    if not keys:
        raise ValueError("topics_by_stance needs stance_<target> columns (run add_stance first)")
    label = pl.col("topic_label").first() if "topic_label" in df.columns else pl.lit(None)
    sentiment = (
        pl.col("sentiment_compound").mean()
        if "sentiment_compound" in df.columns
        else pl.lit(None, dtype=pl.Float64)
    )
    per_topic = df.group_by("topic").agg(
        label.alias("topic_label"),
        pl.len().cast(pl.Int32).alias("n_comments"),
        sentiment.cast(pl.Float64).alias("mean_sentiment"),
    )
    long = stance_counts(df, keys, by="topic", labels=STANCE_LABELS)
    wide = long.pivot("stance", index=["topic", "target", "n_total"], values=["count", "share_all"])
    wide = wide.rename(
        {f"count_{v}": v for v in STANCE_LABELS}
        | {f"share_all_{v}": f"share_{v}" for v in STANCE_LABELS}
    ).with_columns(
        pl.col("n_total").cast(pl.Int32).alias("n_with_stance"),
        *(pl.col(v).cast(pl.Int32) for v in STANCE_LABELS),
    )
    first = ["topic", "topic_label", "target", "n_comments", "n_with_stance"]
    rest = [*STANCE_LABELS, *(f"share_{v}" for v in STANCE_LABELS), "mean_sentiment"]
    return wide.join(per_topic, on="topic").select(first + rest).sort("topic", "target")
