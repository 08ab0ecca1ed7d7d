"""Figure 4: topics (BERTopic) by size, and each topic's stance toward each target.

Topic labels are BERTopic's top words ('3_tariffs_trump_cars' shows as 'tariffs, trump,
cars'); topic -1 holds the comments HDBSCAN left unclustered and is drawn last, in
grey, because it is not a topic. Figure 4b reuses the headline's diverging bars,
one row per topic, so the two read the same way.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from ..analysis.columns import POSITIONS
from ..analysis.stance.shares import stance_counts
from ..analysis.topics.model import OUTLIER
from .common import TargetLike, require, resolve_targets
from .stance import draw_diverging
from .style import ACCENT, DOUBLE_COLUMN, MUTED, SINGLE_COLUMN, paper_style

MAX_LABEL = 56
"""Topic labels longer than this many characters are cut with an ellipsis."""
WRAP = 30
"""Topic labels are wrapped onto lines of at most this many characters."""


def readable_label(label: str | None, topic: int) -> str:
    """'3_tariffs_trump_cars' -> 'tariffs, trump, cars'; -1 -> 'unclustered'."""
    if topic == OUTLIER:
        return "unclustered (-1)"
    if not label:
        return f"topic {topic}"
    words = label.split("_")
    if words and words[0].lstrip("-").isdigit():
        words = words[1:]
    text = ", ".join(w for w in words if w) or f"topic {topic}"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


def wrapped(label: str) -> str:
    """A topic label broken onto lines of at most WRAP characters (for tick labels)."""
    return "\n".join(textwrap.wrap(label, WRAP)) or label


def _topic_order(df: pl.DataFrame) -> pl.DataFrame:
    """topic, topic_label, count: largest first, ties by topic id, outliers last."""
    require(df, "topic")
    label = pl.col("topic_label").first() if "topic_label" in df.columns else pl.lit(None)
    counts = (
        df.filter(pl.col("topic").is_not_null())
        .group_by("topic")
        .agg(pl.len().cast(pl.Int64).alias("count"), label.cast(pl.String).alias("topic_label"))
        .with_columns((pl.col("topic") == OUTLIER).alias("_outlier"))
        .sort(["_outlier", "count", "topic"], descending=[False, True, False])
        .drop("_outlier")
    )
    return counts.with_columns(
        pl.struct("topic_label", "topic")
        .map_elements(
            lambda r: readable_label(r["topic_label"], r["topic"]), return_dtype=pl.String
        )
        .alias("label")
    )


def topic_sizes_data(df: pl.DataFrame) -> pl.DataFrame:
    """Comments per topic (largest first, unclustered last), with share of all comments."""
    order = _topic_order(df)
    return order.with_columns((pl.col("count") / df.height).alias("share")).select(
        "topic", "topic_label", "label", "count", "share"
    )


def topic_sizes(df: pl.DataFrame) -> Figure:
    """Horizontal bars: comments per topic, labelled with the topic's top words."""
    data = topic_sizes_data(df)
    n = data.height
    with paper_style():
        fig = Figure(figsize=(SINGLE_COLUMN, 0.55 + 0.3 * max(n, 2)), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        colors = [MUTED if t == OUTLIER else ACCENT for t in data["topic"]]
        bars = ax.barh(y, data["count"].to_numpy(), color=colors, height=0.68)
        ax.bar_label(bars, labels=[str(c) for c in data["count"]], padding=2, fontsize=6.5)
        ax.set_yticks(y, [wrapped(lab) for lab in data["label"]], fontsize=6.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlim(0, max(1, int(data["count"].max() or 1)) * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(f"comments (n = {df.height})")
    return fig


def topic_stance_data(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None
) -> pl.DataFrame:
    """Long table topic x target x stance: count, share of the topic's stance-taking comments."""
    ts = resolve_targets(df, targets)
    order = (
        _topic_order(df)
        .with_row_index("topic_rank")
        .select(pl.col("topic_rank").cast(pl.Int64), pl.col("topic").cast(pl.Int64), "label")
    )
    counts = stance_counts(
        df.with_columns(pl.col("topic").cast(pl.Int64)), [t.key for t in ts], by="topic"
    )
    labels = {t.key: t.label for t in ts}
    return (
        order.join(counts, on="topic", how="left", maintain_order="left")
        .with_columns(
            pl.col("target").replace_strict(labels, return_dtype=pl.String).alias("target_label")
        )
        .select(
            "topic_rank",
            "topic",
            "label",
            "target",
            "target_label",
            "stance",
            "count",
            "share",
            "n_addressing",
            pl.col("n_total").alias("n_topic"),
        )
    )


def _max_side(data: pl.DataFrame) -> float:
    """Largest half-bar (against or favor plus half of neutral) over all rows: one x scale."""
    wide = data.pivot("stance", index=["topic_rank", "target"], values="count")
    side = pl.max_horizontal("against", "favor") + pl.col("neutral") / 2
    return max(1.0, float(wide.select(side.max()).item()))


def topic_stance(df: pl.DataFrame, targets: Sequence[TargetLike] | None = None) -> Figure:
    """One panel per target: diverging stance bars, one row per topic (counts in segments)."""
    ts = resolve_targets(df, targets)
    data = topic_stance_data(df, ts)
    topics = data.unique("topic_rank", maintain_order=True)
    n = topics.height
    with paper_style():
        fig = Figure(figsize=(DOUBLE_COLUMN, 0.75 + 0.34 * max(n, 2)), layout="constrained")
        axes = fig.subplots(1, len(ts), sharey=True, squeeze=False)[0]
        lim = float(_max_side(data))
        for i, (ax, t) in enumerate(zip(axes, ts, strict=True)):  # same x scale in all panels
            sub = data.filter(pl.col("target") == t.key).with_columns(
                pl.col("topic_rank").alias("row")
            )
            labels = [
                wrapped(f"{r['label']} ({r['n_topic']})") for r in topics.iter_rows(named=True)
            ]
            draw_diverging(
                ax, sub, labels, row_key="row", show_share=False, xlim=lim, scale="count"
            )
            ax.set_title(t.label, loc="center")
            ax.set_xlabel("")
            if i:
                ax.tick_params(axis="y", labelleft=False)
        handles = [ax.containers[k] for k in range(len(POSITIONS))]
        fig.legend(
            handles,
            list(POSITIONS),
            ncols=3,
            loc="outside upper center",
            handlelength=1.0,
            handleheight=0.8,
        )
        fig.supxlabel(
            "stance-taking comments per topic   \u2190 against | favor \u2192", fontsize=7
        )
    return fig
