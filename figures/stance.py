"""Figure 1 (headline) and 2b: stance toward each target as diverging stacked bars.

Against extends left, favor right, neutral straddles zero, so the balance of opinion is
read off the bar's position and the size of each side directly. Shares are of the
comments (or users) that take a stance on the target; those that do not mention it
('none') are counted in the row label, not drawn, so they cannot dilute the bars. Whiskers
are 95% intervals of the against and favor shares (naive: the classifier's labels).

With coded sheets (``estimates``) the bars are the corrected shares of ALL comments
(:mod:`readerscope.analysis.stance.corrected`), so the bars plus the row label's 'none'
share make 100%, and the whiskers are the corrected intervals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..analysis.columns import NOT_ADDRESSED, POSITIONS, stance_column
from ..analysis.stance.corrected import StanceEstimates
from ..analysis.stance.estimates import wilson_interval
from ..analysis.stance.shares import stance_counts
from .common import (
    INTERVAL_TEXT,
    PlotTarget,
    TargetLike,
    plotted_estimates,
    resolve_targets,
    user_name,
)
from .style import MUTED, SINGLE_COLUMN, paper_style, stance_color

MIN_LABEL_FRACTION = 0.05
"""Segments narrower than this fraction of the axis get their count outside the bar."""
SHARE_LABEL_FRACTION = 0.065
"""Segments at least this wide (fraction of the axis) also show their share in %."""
WHISKER_DROP = 0.4
"""Interval whiskers sit this far below the bar's centre line (bars are 0.62 high)."""


DATA_COLUMNS = (
    "target", "target_label", "stance", "count", "share", "n_addressing", "n_total", "unit",
    "share_of", "estimator", "lower", "upper", "n", "interval", "note",
)  # fmt: skip
"""Columns of the headline figure's data: what is drawn, of what, by which estimator, and the
interval the whiskers show (``lower``/``upper``, fractions like ``share``)."""


def _distribution(table: pl.DataFrame, targets: Sequence[PlotTarget]) -> pl.DataFrame:
    """What the bars show: counts and shares of addressing items, per target, with the
    naive (Wilson) interval of each share: it covers the classifier's share, not the true
    one (classifier error is not in it)."""
    labels = {t.key: t.label for t in targets}
    counts = stance_counts(table, [t.key for t in targets])
    lo, hi = wilson_interval(
        counts["share"].fill_null(np.nan).to_numpy(), counts["n_addressing"].to_numpy()
    )
    return counts.select(
        "target",
        pl.col("target").replace_strict(labels, return_dtype=pl.String).alias("target_label"),
        "stance",
        "count",
        "share",
        "n_addressing",
        "n_total",
    ).with_columns(
        pl.lit("naive").alias("estimator"),
        pl.Series("lower", lo, pl.Float64).fill_nan(None),
        pl.Series("upper", hi, pl.Float64).fill_nan(None),
        pl.col("n_addressing").alias("n"),
        pl.lit(INTERVAL_TEXT["naive"]).alias("interval"),
        pl.lit(None, pl.String).alias("note"),
    )


def _corrected(
    df: pl.DataFrame, targets: Sequence[PlotTarget], estimates: StanceEstimates
) -> pl.DataFrame:
    """Corrected shares of ALL comments per target and stance, with the interval drawn;
    ``count`` stays the classifier's count (for reference; the bars do not show it)."""
    drawn = plotted_estimates(estimates.shares, ["target"], "corrected").select(
        "target", pl.col("label").alias("stance"), pl.col("estimate").alias("share"),
        "estimator", "lower", "upper", "n", "interval", "note",
    )  # fmt: skip
    counts = _distribution(df, targets).select(
        "target", "target_label", "stance", "count", "n_addressing", "n_total"
    )
    return counts.join(drawn, on=["target", "stance"], how="left", maintain_order="left")


def user_stances(df: pl.DataFrame, targets: Sequence[TargetLike] | None = None) -> pl.DataFrame:
    """One row per user: their overall stance per target, from all their comments.

    A user is 'favor' when more of their comments favor the target than oppose it,
    'against' in the opposite case, 'neutral' when they address it but neither side
    wins (ties included), 'none' when they never address it. Columns: user,
    n_comments, and per target ``stance_<key>`` plus ``favor_<key>``/``against_<key>``/
    ``neutral_<key>`` counts.
    """
    ts = resolve_targets(df, targets)
    aggs: list[pl.Expr] = [pl.len().alias("n_comments")]
    for t in ts:
        col = pl.col(stance_column(t.key))
        aggs += [(col == s).sum().cast(pl.Int64).alias(f"{s}_{t.key}") for s in POSITIONS]
    per_user = df.group_by(user_name(pl.col("user")).alias("user")).agg(aggs)
    exprs = []
    for t in ts:
        f, a, n = (pl.col(f"{s}_{t.key}") for s in ("favor", "against", "neutral"))
        exprs.append(
            pl.when(f > a)
            .then(pl.lit("favor"))
            .when(a > f)
            .then(pl.lit("against"))
            .when(f + a + n > 0)
            .then(pl.lit("neutral"))
            .otherwise(pl.lit(NOT_ADDRESSED))
            .alias(stance_column(t.key))
        )
    return per_user.with_columns(exprs).sort(["n_comments", "user"], descending=[True, False])


def stance_distribution_data(
    df: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
    unit: str = "comment",
    *,
    estimates: StanceEstimates | None = None,
) -> pl.DataFrame:
    """Counts and shares of each stance per target, with intervals: exactly what is drawn.

    ``unit='comment'`` counts comments; ``unit='user'`` counts each commenter once
    (their stance from :func:`user_stances`), so a prolific commenter weighs as one.
    Without coded sheets the shares are of the stance-taking items with the naive interval.
    With ``estimates`` from coded sheets (comments only) they are the corrected shares of
    ALL comments with their intervals (``share_of`` and ``estimator`` say which).
    """
    ts = resolve_targets(df, targets)
    if unit not in ("user", "comment"):
        raise ValueError(f"unit must be 'comment' or 'user', not {unit!r}")
    if unit == "comment" and estimates is not None and estimates.coded:
        data = _corrected(df, ts, estimates).with_columns(pl.lit("all comments").alias("share_of"))
    else:
        table = user_stances(df, ts) if unit == "user" else df
        plural = "users" if unit == "user" else "comments"
        data = _distribution(table, ts).with_columns(
            pl.lit(f"stance-taking {plural}").alias("share_of")
        )
    return data.with_columns(pl.lit(unit).alias("unit")).select(DATA_COLUMNS)


def _segments(
    data: pl.DataFrame, keys: list, row_key: str, scale: str
) -> tuple[dict[str, np.ndarray], dict[str, list[int]], dict[str, np.ndarray]]:
    """(shares in %, counts, bar widths) per stance, one value per row key."""

    def cell(k, s: str, col: str) -> pl.Series:
        return data.filter((pl.col(row_key) == k) & (pl.col("stance") == s))[col]

    shares = {s: np.array([cell(k, s, "share").fill_null(0.0).sum() for k in keys]) * 100
              for s in POSITIONS}  # fmt: skip
    counts = {s: [int(cell(k, s, "count").sum()) for k in keys] for s in POSITIONS}
    if scale == "count":
        widths = {s: np.asarray(counts[s], dtype=float) for s in POSITIONS}
    elif scale == "share":
        widths = shares
    else:
        raise ValueError(f"scale must be 'share' or 'count', not {scale!r}")
    return shares, counts, widths


def _half_width(widths: dict[str, np.ndarray], scale: str, xlim: float | None) -> float:
    """Half-width of the axis: fixed by ``xlim``, else room for the widest side."""
    half = widths["neutral"] / 2
    edge = max(
        float(np.max(widths["against"] + half, initial=0)),
        float(np.max(widths["favor"] + half, initial=0)),
    )
    if xlim is not None:
        return xlim
    if scale == "count":
        return max(1.0, float(np.ceil(edge)))
    return min(100.0, np.ceil(max(edge, 50.0) / 25) * 25)


def _format_axis(ax: Axes, y: np.ndarray, row_labels: list[str], lim: float, scale: str,
                 unit: str, share_of: str | None = None) -> None:  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.6, zorder=0)  # behind bars: never over labels
    ax.set_yticks(y, row_labels)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    plural = "users" if unit == "user" else "comments"
    if scale == "count":
        ax.set_xlim(-lim * 1.05, lim * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, symmetric=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{abs(v):.0f}"))
        ax.set_xlabel(f"stance-taking {plural}   \u2190 against | favor \u2192")
        return
    ax.set_xlim(-lim, lim)
    ticks = np.arange(-lim, lim + 1, 25 if lim <= 75 else 50)
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.set_xlabel(f"% of {share_of or 'stance-taking ' + plural}   \u2190 against | favor \u2192")


def draw_diverging(
    ax: Axes,
    data: pl.DataFrame,
    row_labels: list[str],
    row_key: str = "target",
    unit: str = "comment",
    show_share: bool = True,
    xlim: float | None = None,
    scale: str = "share",
    *,
    intervals: bool = False,
    show_count: bool = True,
    share_of: str | None = None,
) -> None:
    """Draw one diverging stacked bar per row of ``data`` (long table: row_key, stance, ...).

    Bars are in percent of the row's stance-taking items (``scale='share'``) or in counts
    (``scale='count'``: honest when rows are small); each stance's bars form one
    BarContainer labelled with the stance (tests read the widths back from them).
    Segments show their count (and share when ``show_share`` and there is room); a
    too-narrow against/favor segment gets its count just outside the bar's end.
    ``xlim`` fixes the half-width of the axis (panels that must compare use one value).
    ``intervals`` (share scale) draws each side's interval (``lower``/``upper``) as a whisker
    at the outer end of its against/favor segment, measured from the segment's inner edge;
    ``show_count=False`` labels segments with shares only (estimated shares have no count).
    ``share_of`` names what the shares are of, for the axis label.
    """
    keys = list(dict.fromkeys(data[row_key].to_list()))
    y = np.arange(len(keys))[::-1].astype(float)
    shares, counts, widths = _segments(data, keys, row_key, scale)
    half = widths["neutral"] / 2
    lefts = {"against": -half - widths["against"], "neutral": -half, "favor": half}
    lim = _half_width(widths, scale, xlim)
    if intervals and xlim is None:
        lim = _room_for_whiskers(data, keys, row_key, half, lim)
    span = 2 * lim * (1.05 if scale == "count" else 1.0)
    for s in POSITIONS:
        bars = ax.barh(y, widths[s], left=lefts[s], height=0.62, color=stance_color(s),
                       edgecolor="white", linewidth=0.5, label=s)  # fmt: skip
        for rect, share, count in zip(bars, shares[s], counts[s], strict=True):
            if count if show_count else share > 0:
                frac = rect.get_width() / span
                _label_segment(ax, rect, s, count if show_count else None, share, show_share, frac)
    if intervals:
        _whiskers(ax, data, keys, row_key, y, half)
    if not show_count:
        _not_estimated(ax, data, keys, row_key, y, half)
    total = sum(widths[s] for s in POSITIONS)
    for yy, t in zip(y, total, strict=True):
        if t == 0:  # nothing to draw: say so rather than leave a puzzling gap
            ax.text(0, yy, "no stance taken", ha="center", va="center", fontsize=6, color=MUTED,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})  # fmt: skip
    _format_axis(ax, y, row_labels, lim, scale, unit, share_of)


def _bounds(data: pl.DataFrame, keys: list, row_key: str, stance: str) -> np.ndarray:
    """(rows, 2) lower and upper in % per row key; NaN where there is no interval."""
    out = np.full((len(keys), 2), np.nan)
    for i, k in enumerate(keys):
        row = data.filter((pl.col(row_key) == k) & (pl.col("stance") == stance))
        if row.height and row["lower"][0] is not None and row["upper"][0] is not None:
            out[i] = 100 * row["lower"][0], 100 * row["upper"][0]
    return out


def _room_for_whiskers(
    data: pl.DataFrame, keys: list, row_key: str, half: np.ndarray, lim: float
) -> float:
    edge = max(
        float(np.nanmax(half + _bounds(data, keys, row_key, s)[:, 1], initial=0))
        for s in ("against", "favor")
    )
    return max(lim, min(100.0, np.ceil(edge / 25) * 25))


def _not_estimated(
    ax: Axes, data: pl.DataFrame, keys: list, row_key: str, y: np.ndarray, half: np.ndarray
) -> None:
    """'n/a' where an estimated against or favor share is null (the data file's note says
    why), so a missing share does not read as 0%."""
    for i, k in enumerate(keys):
        for s, sign in (("against", -1.0), ("favor", 1.0)):
            row = data.filter((pl.col(row_key) == k) & (pl.col("stance") == s))
            if row.height and row["share"][0] is None:
                ax.text(sign * (half[i] + 1), y[i], "n/a", ha="right" if sign < 0 else "left",
                        va="center", fontsize=6.5, color=MUTED)  # fmt: skip


def _whiskers(
    ax: Axes, data: pl.DataFrame, keys: list, row_key: str, y: np.ndarray, half: np.ndarray
) -> None:
    """Interval whiskers at the outer ends of the against (left) and favor (right) segments,
    just below the bar (clear of the segment labels); one ErrorbarContainer per side,
    labelled '_<stance> interval' (kept out of the legend)."""
    for s, sign in (("against", -1.0), ("favor", 1.0)):
        b = _bounds(data, keys, row_key, s)
        ok = ~np.isnan(b).any(1)
        if not ok.any():
            continue
        lo, hi = sign * (half + b[:, 0]), sign * (half + b[:, 1])
        left, right = np.minimum(lo, hi)[ok], np.maximum(lo, hi)[ok]
        mid = (left + right) / 2
        ax.errorbar(mid, y[ok] - WHISKER_DROP, xerr=[mid - left, right - mid], fmt="none",
                    ecolor="black",
                    elinewidth=0.6, capsize=1.5, capthick=0.6, zorder=3,
                    label=f"_{s} interval")  # fmt: skip


def _label_segment(
    ax: Axes, rect, stance: str, count: int | None, share: float, show_share: bool, frac: float
) -> None:
    """Count (and share) inside a segment, or the share alone when ``count`` is None;
    outside its outer end when the segment is too narrow for the digits (against: left of
    the bar, favor: right of it)."""
    cy = rect.get_y() + rect.get_height() / 2
    style = {"va": "center", "fontsize": 6.5, "linespacing": 0.95}
    if count is None:
        count = f"{share:.0f}%"  # type: ignore[assignment]
        show_share = False
    if frac >= MIN_LABEL_FRACTION:
        text = (
            f"{count}\n{share:.0f}%" if show_share and frac >= SHARE_LABEL_FRACTION else f"{count}"
        )
        color = "black" if stance == "neutral" else "white"
        ax.text(rect.get_x() + rect.get_width() / 2, cy, text, ha="center", color=color, **style)
    elif stance == "favor":
        ax.text(
            rect.get_x() + rect.get_width(),
            cy,
            f" {count}",
            ha="left",
            color=stance_color(stance),
            **style,
        )
    elif stance == "against":
        ax.text(rect.get_x(), cy, f"{count} ", ha="right", color=stance_color(stance), **style)
    # a narrow neutral segment sits between the others: no room for a label (CSV has it)


def _row_labels(data: pl.DataFrame, corrected: bool) -> list[str]:
    """'US\n(12 of 37)' (addressing of all); with corrected shares the share not addressing
    the target, and '*' when a share could not be estimated (the data file says why)."""
    out = []
    for key in dict.fromkeys(data["target"].to_list()):
        rows = data.filter(pl.col("target") == key)
        first = rows.row(0, named=True)
        if not corrected:
            out.append(f"{first['target_label']}\n({first['n_addressing']} of {first['n_total']})")
            continue
        none = rows.filter(pl.col("stance") == NOT_ADDRESSED)["share"][0]
        star = "*" if rows["share"].null_count() else ""
        rest = "?" if none is None else f"{100 * none:.0f}%"
        out.append(f"{first['target_label']}{star}\n(none {rest})")
    return out


def stance_distribution(
    df: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
    unit: str = "comment",
    *,
    estimates: StanceEstimates | None = None,
) -> Figure:
    """Headline figure: stance toward each target, against left, favor right, with 95%
    intervals: naive shares of the stance-taking comments, or with ``estimates`` from coded
    sheets the corrected shares of all comments (the axis label says which)."""
    data = stance_distribution_data(df, targets, unit, estimates=estimates)
    corrected = bool((data["estimator"] == "corrected").any())
    rows = data.unique("target", maintain_order=True)
    labels = _row_labels(data, corrected)
    share_of = "all comments (corrected, 95% CI)" if corrected else None
    with paper_style():
        fig = Figure(figsize=(SINGLE_COLUMN, 0.5 + 0.42 * rows.height), layout="constrained")
        ax = fig.add_subplot()
        draw_diverging(ax, data, labels, unit=unit, intervals=True, show_count=not corrected,
                       share_of=share_of)  # fmt: skip
        ax.legend(
            ncols=3,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            handlelength=1.0,
            handleheight=0.8,
            columnspacing=1.0,
            borderaxespad=0.2,
        )
    return fig
