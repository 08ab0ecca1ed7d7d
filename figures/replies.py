"""Figure 5: the reply structure of one thread, nodes coloured by stance.

Layout ("thread arc"): x is the comment's position on the page, y its depth in the
reply tree (the article on top, direct replies below it, replies to those below...), so
time runs left to right and long exchanges show as deep chains. One panel per target
with the same layout, so the stance colours can be compared across targets. Node area
grows with the replies a comment received. Comments whose reply target is unknown sit
at depth 1 with no edge: the figure never invents a link the reply stage did not find.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.columns import DISPLAY_ORDER, stance_column
from ..comments.schema import ARTICLE
from .common import TargetLike, require, resolve_targets, user_name
from .style import SINGLE_COLUMN, paper_style, stance_color


def _depths(ids: list[str], parent: dict[str, str | None]) -> dict[str, int]:
    """Depth of each comment: 1 for replies to the article or unknown, parent's + 1 else."""
    depth: dict[str, int] = {}

    def walk(cid: str) -> int:
        seen: list[str] = []
        node: str | None = cid
        while node is not None and node not in depth:
            if node in seen:  # a cycle would be a reply-stage bug; break it at depth 1
                break
            seen.append(node)
            p = parent.get(node)
            node = p if p in parent else None
        base = depth.get(node, 0) if node is not None else 0
        for k, n in enumerate(reversed(seen), start=1):
            depth[n] = base + k
        return depth[cid]

    for cid in ids:
        walk(cid)
    return depth


def reply_network_data(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, thread_id: str | None = None
) -> pl.DataFrame:
    """Nodes of one thread (default: the first): position, depth, parent, replies, stances."""
    require(df, "reply_to", "position", "thread_id")
    ts = resolve_targets(df, targets)
    tid = thread_id if thread_id is not None else df["thread_id"].first()
    thread = df.filter(pl.col("thread_id") == tid).sort("position")
    ids = thread["comment_id"].to_list()
    parent = dict(zip(ids, thread["reply_to"].to_list(), strict=True))
    depth = _depths(ids, parent)
    replies = thread.filter(pl.col("reply_to").is_in(ids)).group_by("reply_to").len()
    received = dict(zip(replies["reply_to"].to_list(), replies["len"].to_list(), strict=True))
    return thread.select(
        "thread_id",
        "comment_id",
        "position",
        user_name(pl.col("user")).alias("user"),
        "reply_to",
        pl.Series("depth", [depth[c] for c in ids], dtype=pl.Int64),
        pl.Series("replies_received", [received.get(c, 0) for c in ids], dtype=pl.Int64),
        *[pl.col(stance_column(t.key)) for t in ts],
    )


def reply_network(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, thread_id: str | None = None
) -> Figure:
    """Thread arc per target: position x depth, edges = inferred replies, colour = stance."""
    ts = resolve_targets(df, targets)
    data = reply_network_data(df, ts, thread_id)
    pos = dict(zip(data["comment_id"], data["position"], strict=True))
    dep = dict(zip(data["comment_id"], data["depth"], strict=True))
    x = data["position"].to_numpy().astype(float)
    y = -data["depth"].to_numpy().astype(float)
    size = 6 + 10 * data["replies_received"].to_numpy()
    max_depth = int(data["depth"].max() or 1)
    with paper_style():
        fig = Figure(
            figsize=(SINGLE_COLUMN, 0.5 + len(ts) * (0.45 + 0.22 * max_depth)),
            layout="constrained",
        )
        axes = fig.subplots(len(ts), 1, sharex=True, squeeze=False)[:, 0]
        for ax, t in zip(axes, ts, strict=True):
            for cid, target in zip(data["comment_id"], data["reply_to"], strict=True):
                if target == ARTICLE:
                    px, py = 0.0, 0.0
                elif target in pos:
                    px, py = float(pos[target]), -float(dep[target])
                else:
                    continue
                ax.plot([px, pos[cid]], [py, -dep[cid]], color="#9A9A9A", linewidth=0.45, zorder=1)
            ax.scatter([0], [0], marker="s", s=14, color="black", zorder=3)
            ax.scatter(
                x,
                y,
                s=size,
                c=[stance_color(s) for s in data[stance_column(t.key)]],
                edgecolors="#555555",
                linewidths=0.3,
                zorder=2,
                gid=f"nodes-{t.key}",
            )
            ax.set_title(t.label, loc="left", fontsize=7, pad=2)
            ax.set_yticks(
                -np.arange(0, max_depth + 1), ["article", *map(str, range(1, max_depth + 1))]
            )
            ax.set_ylim(-max_depth - 0.5, 0.5)
            ax.tick_params(axis="y", length=0, labelsize=6)
            ax.spines["left"].set_visible(False)
        axes[-1].set_xlabel("comment position on the page")
        axes[-1].set_xlim(-1, float(x.max(initial=1)) + 1)
        axes[len(ts) // 2].set_ylabel("reply depth")
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=4,
                markerfacecolor=stance_color(s),
                markeredgecolor="#555555",
                markeredgewidth=0.3,
                label=s,
            )
            for s in DISPLAY_ORDER
        ]
        handles.append(Line2D([], [], color="#9A9A9A", linewidth=0.6, label="reply"))
        fig.legend(
            handles=handles,
            ncols=5,
            loc="outside upper center",
            handletextpad=0.2,
            columnspacing=0.8,
        )
    return fig
