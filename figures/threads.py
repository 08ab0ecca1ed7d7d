"""Stance per thread: the share of each thread's comments against and in favor of each
target, with 95% intervals.

Threads differ (a story about tariffs draws other readers than one about a summit), and a
corpus-wide share can hide that. One panel per target, one row per thread; against is a
vermillion circle, favor a blue square, each with its interval. Shares are of ALL the
thread's comments, so they compare across threads whatever each thread's share of comments
not addressing the target. With coded sheets the points are the corrected shares
(:mod:`readerscope.analysis.stance.corrected`: only the thread's coded rows correct it), else
the classifier's (naive: the interval ignores classifier error). A thread whose share cannot
be estimated (too few coded rows, an interval too wide to mean anything) gets no point and
the reason in the data file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from ..analysis.columns import AGAINST, FAVOR
from ..analysis.stance.corrected import StanceEstimates, stance_estimates
from .common import TargetLike, plotted_estimates, resolve_targets
from .style import MUTED, SINGLE_COLUMN, paper_style, stance_color

SIDES: tuple[str, ...] = (AGAINST, FAVOR)
"""The two shares drawn per thread and target."""
MARKERS = {AGAINST: "o", FAVOR: "s"}
OFFSET = 0.17
"""Vertical offset of the against (up) and favor (down) marks within a thread's row."""
MAX_THREAD_LABEL = 24
THREAD_COLUMNS = (
    "thread_id", "comments", "target", "target_label", "stance", "estimator", "estimate",
    "lower", "upper", "n", "interval", "note",
)  # fmt: skip


def stance_by_thread_data(
    df: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
    *,
    estimates: StanceEstimates | None = None,
) -> pl.DataFrame:
    """Per thread, target and side (against, favor): the share of the thread's comments,
    its interval (``lower``/``upper``: what the whiskers show, named in ``interval``), the
    estimator, ``n`` (coded rows used; comments for naive), the thread's comments and the
    note. Threads in order of first appearance, targets as given."""
    ts = resolve_targets(df, targets)
    if estimates is None:
        estimates = stance_estimates(df, [t.key for t in ts])
    drawn = plotted_estimates(estimates.by_thread, ["group", "target"], estimates.estimator)
    sizes = df.group_by(pl.col("thread_id").cast(pl.String).alias("thread_id")).len("comments")
    order = {t: i for i, t in enumerate(dict.fromkeys(df["thread_id"].cast(pl.String)))}
    labels = {t.key: t.label for t in ts}
    rank = {t.key: i for i, t in enumerate(ts)}
    sides = {AGAINST: 0, FAVOR: 1}
    out = (
        drawn.filter(pl.col("label").is_in(SIDES) & pl.col("target").is_in(list(labels)))
        .rename({"group": "thread_id", "label": "stance"})
        .join(sizes, on="thread_id", how="left")
    )
    keys = [
        pl.col("target").replace_strict(rank, return_dtype=pl.Int64),
        pl.col("thread_id").replace_strict(order, return_dtype=pl.Int64),
        pl.col("stance").replace_strict(sides, return_dtype=pl.Int64),
    ]
    return (
        out.sort(keys)
        .with_columns(
            pl.col("target").replace_strict(labels, return_dtype=pl.String).alias("target_label")
        )
        .select(THREAD_COLUMNS)
    )


def _thread_label(thread_id: str, comments: int) -> str:
    name = thread_id if len(thread_id) <= MAX_THREAD_LABEL else thread_id[: MAX_THREAD_LABEL - 1]
    return f"{name}{'' if name == thread_id else chr(0x2026)} ({comments})"


def _panel(ax, rows: pl.DataFrame, threads: list[str], title: str) -> None:
    """One target: a row per thread, against and favor with whiskers (ErrorbarContainers
    labelled with the side), 'no estimate' where a share is null."""
    y_of = {t: float(len(threads) - 1 - i) for i, t in enumerate(threads)}
    for side, dy in ((AGAINST, OFFSET), (FAVOR, -OFFSET)):
        part = rows.filter(pl.col("stance") == side)
        ok = part.filter(pl.col("estimate").is_not_null() & pl.col("lower").is_not_null())
        x = 100 * ok["estimate"].to_numpy()
        y = np.array([y_of[t] + dy for t in ok["thread_id"]])
        err = [x - 100 * ok["lower"].to_numpy(), 100 * ok["upper"].to_numpy() - x]
        ax.errorbar(x, y, xerr=np.clip(err, 0, None), fmt=MARKERS[side], color=stance_color(side),
                    markersize=3.2, elinewidth=0.8, capsize=1.5, capthick=0.6,
                    label=side)  # fmt: skip
        for t in part.filter(pl.col("estimate").is_null())["thread_id"]:
            ax.text(1, y_of[t] + dy, f"{side}: no estimate", fontsize=5.5, color=MUTED,
                    va="center")  # fmt: skip
    ax.set_yticks(list(y_of.values()), threads)
    ax.set_ylim(-0.6, len(threads) - 0.4)
    ax.set_xlim(0, 100)
    ax.set_title(title)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", linewidth=0.3, color="#DDDDDD")
    ax.set_axisbelow(True)


def stance_by_thread(
    df: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
    *,
    estimates: StanceEstimates | None = None,
) -> Figure:
    """Per-thread figure: one panel per target, against and favor per thread with 95%
    intervals (corrected with coded sheets, else naive; the axis label says which)."""
    data = stance_by_thread_data(df, targets, estimates=estimates)
    ts = resolve_targets(df, targets)
    sizes = dict(data.select("thread_id", "comments").unique(maintain_order=True).iter_rows())
    threads = list(sizes)
    labels = [_thread_label(t, sizes[t]) for t in threads]
    corrected = bool((data["estimator"] == "corrected").any())
    with paper_style():
        height = 0.45 + len(ts) * (0.42 + 0.3 * max(len(threads), 1))
        fig = Figure(figsize=(SINGLE_COLUMN, height), layout="constrained")
        axes = fig.subplots(len(ts), 1, sharex=True, squeeze=False)[:, 0]
        for ax, t in zip(axes, ts, strict=True):
            rows = data.filter(pl.col("target") == t.key)
            _panel(ax, rows, threads, t.label)
            ax.set_yticklabels(labels)
        which = "corrected" if corrected else "classifier labels"
        axes[-1].set_xlabel(f"% of the thread's comments\n({which}, 95% CI)")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, ncols=2, loc="outside upper center", handletextpad=0.3,
                   columnspacing=0.8)  # fmt: skip
    return fig
