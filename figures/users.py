"""Figure 2a: stance by commenter, a users x targets heat map.

Per-comment shares hide who is speaking: one prolific commenter can fill a side of
the headline bars alone. Each row here is one commenter (most comments first, count in
the label); the cell colour is their net stance toward the target, (favor - against)
/ comments addressing it, from -1 (all against) to +1 (all favor); the number in the
cell is how many of their comments address the target. Grey: never addressed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from .common import TargetLike, resolve_targets
from .stance import user_stances
from .style import SINGLE_COLUMN, diverging_cmap, paper_style

NEVER = "#E6E6E6"
"""Cell colour where the commenter never addressed the target (distinct from net 0 = white)."""

MAX_USERS = 40
"""At most this many commenters (the most active) are drawn; the data says how many were cut."""


def stance_by_user_data(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, max_users: int = MAX_USERS
) -> pl.DataFrame:
    """Long table user x target: counts, net stance and rank; the rows drawn have rank <= max."""
    ts = resolve_targets(df, targets)
    users = user_stances(df, ts).with_row_index("rank", offset=1)
    parts = []
    for t in ts:
        f, a, n = (pl.col(f"{s}_{t.key}") for s in ("favor", "against", "neutral"))
        parts.append(
            users.select(
                "rank",
                "user",
                "n_comments",
                pl.lit(t.key).alias("target"),
                pl.lit(t.label).alias("target_label"),
                f.alias("favor"),
                a.alias("against"),
                n.alias("neutral"),
                (f + a + n).alias("n_addressing"),
                pl.when(f + a + n > 0).then((f - a) / (f + a + n)).alias("net_stance"),
                pl.col(f"stance_{t.key}").alias("user_stance"),
            )
        )
    out = pl.concat(parts).sort(["rank", "target"])
    return out.with_columns((pl.col("rank") <= max_users).alias("drawn"))


def _cell_counts(ax, grid: np.ndarray, counts: np.ndarray) -> None:
    """Each cell's number of comments on the target, readable on either end of the map."""
    for i, j in zip(*np.nonzero(counts), strict=True):
        color = "white" if abs(grid[i, j]) > 0.6 else "black"
        ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=5.5, color=color)


def stance_by_user(
    df: pl.DataFrame, targets: Sequence[TargetLike] | None = None, max_users: int = MAX_USERS
) -> Figure:
    """Heat map of each commenter's net stance per target (rows: most active first)."""
    ts = resolve_targets(df, targets)
    data = stance_by_user_data(df, ts, max_users).filter(pl.col("drawn"))
    users = data.unique("rank", maintain_order=True).sort("rank")
    n_users = users.height
    grid = np.full((n_users, len(ts)), np.nan)
    counts = np.zeros((n_users, len(ts)), dtype=int)
    for r in data.iter_rows(named=True):
        i = r["rank"] - 1
        j = [t.key for t in ts].index(r["target"])
        counts[i, j] = r["n_addressing"]
        if r["net_stance"] is not None:
            grid[i, j] = r["net_stance"]
    total_users = df.select(pl.col("user").fill_null("(no name)").n_unique()).item()
    with paper_style():
        height = 0.9 + 0.135 * n_users
        fig = Figure(figsize=(SINGLE_COLUMN, height), layout="constrained")
        ax = fig.add_subplot()
        ax.set_facecolor(NEVER)  # masked cells (target never addressed) show this grey
        image = ax.imshow(
            np.ma.masked_invalid(grid),
            cmap=diverging_cmap(),
            vmin=-1,
            vmax=1,
            aspect="auto",
            interpolation="nearest",
        )
        _cell_counts(ax, grid, counts)
        ax.set_xticks(range(len(ts)), [t.label for t in ts])
        ax.xaxis.tick_top()
        ax.set_yticks(
            range(n_users),
            [f"{u} ({n})" for u, n in zip(users["user"], users["n_comments"], strict=True)],
            fontsize=5.5,
        )
        ax.tick_params(length=0)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xticks(np.arange(len(ts) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n_users + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=0.8)
        ax.tick_params(which="minor", length=0)
        shown = (
            f"{n_users} most active of {total_users} users"
            if n_users < total_users
            else (f"all {n_users} users")
        )
        ax.set_ylabel(f"commenter (comments), {shown}", fontsize=6.5)
        bar = fig.colorbar(
            image,
            ax=ax,
            orientation="horizontal",
            fraction=0.05,
            pad=0.02,
            aspect=30,
            location="bottom",
        )
        bar.set_label(
            "net stance = (favor \u2212 against) / comments on target\n"
            "grey: target never addressed",
            fontsize=6,
        )
        bar.set_ticks([-1, -0.5, 0, 0.5, 1])
        bar.ax.tick_params(labelsize=6)
        bar.outline.set_visible(False)
    return fig
