"""Figure 3: sentiment (VADER compound) overall, and against stance per target.

Sentiment and stance are different things: a comment can be cheerful about opposing a
country. Figure 3b puts each comment's compound score in the column of its stance, so
a reader sees whether, say, the comments against the US are also the angry ones.
VADER's conventional neutral band (|compound| < 0.05) is shaded in both panels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from ..analysis.columns import POSITIONS, stance_column
from .common import TargetLike, require, resolve_targets
from .style import ACCENT, SINGLE_COLUMN, paper_style, stance_color

COMPOUND = "sentiment_compound"
NEUTRAL_BAND = 0.05
"""VADER's recommended threshold: compound within +-0.05 reads as neutral."""
MEAN_COLOR = "#E69F00"  # Okabe-Ito orange: not a stance colour
SIDE_BINS = 10
"""Histogram bins on each side of the neutral band."""
JITTER_SEED = 0
"""Seed of the horizontal jitter of points in Figure 3b (recorded in the manifest)."""


def bin_edges(side_bins: int = SIDE_BINS) -> np.ndarray:
    """Edges over [-1, 1]: ``side_bins`` bins each side of one bin for the neutral band.

    The neutral band [-0.05, 0.05) gets its own bin so a bar never mixes neutral and
    polar comments (VADER gives exactly 0 to many short comments).
    """
    neg = np.linspace(-1.0, -NEUTRAL_BAND, side_bins + 1)
    pos = np.linspace(NEUTRAL_BAND, 1.0, side_bins + 1)
    return np.concatenate([neg, pos])


def sentiment_distribution_data(df: pl.DataFrame, side_bins: int = SIDE_BINS) -> pl.DataFrame:
    """Histogram of compound scores: bins are [left, right), the last one closed at 1."""
    require(df, COMPOUND)
    edges = bin_edges(side_bins)
    values = df[COMPOUND].drop_nulls().to_numpy()
    idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    counts = np.bincount(idx, minlength=len(edges) - 1)
    return pl.DataFrame(
        {
            "bin": np.arange(len(edges) - 1, dtype=np.int64),
            "bin_left": edges[:-1],
            "bin_right": edges[1:],
            "count": counts.astype(np.int64),
        }
    ).with_columns(
        pl.lit(len(values), dtype=pl.Int64).alias("n_scored"),
        pl.lit(float(values.mean()) if len(values) else None, dtype=pl.Float64).alias(
            "mean_compound"
        ),
        pl.lit(float(np.median(values)) if len(values) else None, dtype=pl.Float64).alias(
            "median_compound"
        ),
    )


def sentiment_distribution(df: pl.DataFrame, side_bins: int = SIDE_BINS) -> Figure:
    """Histogram of comment-level compound sentiment; the neutral-band bar is light grey."""
    data = sentiment_distribution_data(df, side_bins)
    with paper_style():
        fig = Figure(figsize=(SINGLE_COLUMN, 1.9), layout="constrained")
        ax = fig.add_subplot()
        left = data["bin_left"].to_numpy()
        widths = data["bin_right"].to_numpy() - left
        neutral = np.isclose(left, -NEUTRAL_BAND)
        ax.bar(
            left,
            data["count"].to_numpy(),
            width=widths,
            align="edge",
            color=np.where(neutral, "#BBBBBB", ACCENT),
            edgecolor="white",
            linewidth=0.4,
            label="comments",
        )
        top = max(1, int(data["count"].max() or 1))
        ax.set_ylim(0, top * 1.22)  # headroom: the mean label never sits on a bar
        mean = data["mean_compound"][0]
        if mean is not None:
            ax.axvline(mean, color=MEAN_COLOR, linewidth=1.0, linestyle="--")
            ax.annotate(
                f"mean {mean:+.2f}",
                (mean, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -2),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=6.5,
                color=MEAN_COLOR,
            )
        ax.set_xlim(-1, 1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("VADER compound (grey bar: neutral, |c| < 0.05)")
        ax.set_ylabel(f"comments (n = {data['n_scored'][0]})")
    return fig


def sentiment_by_stance_data(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, seed: int = JITTER_SEED
) -> pl.DataFrame:
    """One row per (comment, target) that takes a stance: compound, plotted x, group mean.

    ``x`` is the stance's row (0 against, 1 neutral, 2 favor) plus a seeded jitter
    (drawn as the vertical position), so the CSV reproduces the points exactly.
    """
    require(df, COMPOUND)
    ts = resolve_targets(df, targets)
    rng = np.random.default_rng(seed)
    parts = []
    for t in ts:
        rows = (
            df.filter(pl.col(stance_column(t.key)).is_in(list(POSITIONS)))
            .select(
                "comment_id",
                pl.lit(t.key).alias("target"),
                pl.lit(t.label).alias("target_label"),
                pl.col(stance_column(t.key)).alias("stance"),
                pl.col(COMPOUND).alias("compound"),
            )
            .drop_nulls("compound")
            .sort("comment_id")
        )
        column = rows["stance"].replace_strict(
            {s: i for i, s in enumerate(POSITIONS)}, return_dtype=pl.Float64
        )
        jitter = rng.uniform(-0.22, 0.22, rows.height)
        parts.append(rows.with_columns((column + jitter).alias("x")))
    out = pl.concat(parts)
    return out.with_columns(
        pl.col("compound").mean().over("target", "stance").alias("mean_compound"),
        pl.len().over("target", "stance").cast(pl.Int64).alias("n"),
    )


def sentiment_by_stance(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, seed: int = JITTER_SEED
) -> Figure:
    """Per target (one row each): stance-taking comments' compound scores by stance."""
    ts = resolve_targets(df, targets)
    data = sentiment_by_stance_data(df, ts, seed)
    with paper_style():
        fig = Figure(figsize=(SINGLE_COLUMN, 0.45 + 0.8 * len(ts)), layout="constrained")
        axes = fig.subplots(len(ts), 1, sharex=True, squeeze=False)[:, 0]
        for ax, t in zip(axes, ts, strict=True):
            ax.axvspan(-NEUTRAL_BAND, NEUTRAL_BAND, color="#E8E8E8", linewidth=0, zorder=0)
            sub = data.filter(pl.col("target") == t.key)
            ax.scatter(
                sub["compound"].to_numpy(),
                sub["x"].to_numpy(),
                s=7,
                linewidths=0.3,
                c=[stance_color(s) for s in sub["stance"]],
                edgecolors="white",
                zorder=2,
                gid=f"points-{t.key}",
            )
            labels = []
            for i, s in enumerate(POSITIONS):
                g = sub.filter(pl.col("stance") == s)
                labels.append(f"{s} ({g.height})")
                if g.height:
                    m = g["mean_compound"][0]
                    ax.plot(
                        [m, m],
                        [i - 0.36, i + 0.36],
                        color="black",
                        linewidth=1.1,
                        zorder=3,
                        gid=f"mean-{t.key}-{s}",
                    )
            ax.set_yticks(range(len(POSITIONS)), labels, fontsize=6)
            ax.set_ylim(-0.55, len(POSITIONS) - 0.45)
            ax.tick_params(axis="y", length=0)
            ax.set_title(f"{t.label}", fontsize=7, loc="left", pad=2)
        axes[-1].set_xlim(-1.05, 1.05)
        axes[-1].set_xticks([-1, -0.5, 0, 0.5, 1])
        axes[-1].set_xlabel("VADER compound (dot: comment, bar: mean)")
    return fig
