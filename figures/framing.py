"""Figure 6: how the coverage frames the US, China and Japan, beside the readers.

Each article's paragraphs are scored by the stance stage
(:func:`readerscope.analysis.stance.articles.article_stance`). The bars show, per outlet
and target, the shares of stance-taking paragraphs that are against, neutral or favor;
the readers' row shows the same shares over comments. The unit differs (paragraph vs
comment) and the stance methods were built for comments, so read the article rows as a
coarse framing indicator, not a content analysis.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from matplotlib.figure import Figure

from ..analysis.columns import POSITIONS
from ..analysis.stance.shares import stance_counts
from .common import TargetLike, resolve_targets
from .stance import draw_diverging
from .style import DOUBLE_COLUMN, paper_style

READERS = "reader comments"
UNIT_SIGN = {"paragraph": "\u00b6", "comment": "comments"}


def article_framing_data(
    comments: pl.DataFrame,
    article_units: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
) -> pl.DataFrame:
    """Long table source x target x stance: count, share of the source's stance-taking units.

    Sources are the outlets in ``article_units`` order, then the readers (all comments).
    ``unit`` says what was counted: 'paragraph' for articles, 'comment' for readers.
    """
    ts = resolve_targets(comments, targets)
    keys, labels = [t.key for t in ts], {t.key: t.label for t in ts}
    outlets = list(dict.fromkeys(article_units["outlet"].to_list()))
    parts = [
        stance_counts(article_units.filter(pl.col("outlet") == outlet), keys).with_columns(
            pl.lit(rank, dtype=pl.Int64).alias("source_rank"),
            pl.lit(outlet).alias("source"),
            pl.lit("paragraph").alias("unit"),
        )
        for rank, outlet in enumerate(outlets)
    ]
    parts.append(
        stance_counts(comments, keys).with_columns(
            pl.lit(len(outlets), dtype=pl.Int64).alias("source_rank"),
            pl.lit(READERS).alias("source"),
            pl.lit("comment").alias("unit"),
        )
    )
    return pl.concat(parts).select(
        "source_rank",
        "source",
        "unit",
        "target",
        pl.col("target").replace_strict(labels, return_dtype=pl.String).alias("target_label"),
        "stance",
        "count",
        "share",
        "n_addressing",
        pl.col("n_total").alias("n_units"),
    )


def article_framing(
    comments: pl.DataFrame,
    article_units: pl.DataFrame,
    targets: Sequence[TargetLike] | None = None,
) -> Figure:
    """Per target: diverging stance bars for each outlet's paragraphs and for the readers."""
    ts = resolve_targets(comments, targets)
    data = article_framing_data(comments, article_units, ts)
    sources = data.unique("source_rank", maintain_order=True)
    n = sources.height
    labels = [
        f"{r['source']} ({r['n_units']} {UNIT_SIGN[r['unit']]})"
        for r in sources.iter_rows(named=True)
    ]
    with paper_style():
        fig = Figure(figsize=(DOUBLE_COLUMN, 0.8 + 0.3 * n), layout="constrained")
        axes = fig.subplots(1, len(ts), sharey=True, squeeze=False)[0]
        for i, (ax, t) in enumerate(zip(axes, ts, strict=True)):
            sub = data.filter(pl.col("target") == t.key).with_columns(
                pl.col("source_rank").alias("row")
            )
            draw_diverging(ax, sub, labels, row_key="row", show_share=False, xlim=100.0)
            ax.set_title(t.label, loc="center")
            ax.set_xlabel("")
            ax.axhline(0.5, color="black", linewidth=0.5, linestyle=":")  # readers below
            if i:
                ax.tick_params(axis="y", labelleft=False)
        for tick in axes[0].get_yticklabels():
            if tick.get_text().startswith(READERS):
                tick.set_fontweight("bold")
        handles = [axes[0].containers[k] for k in range(len(POSITIONS))]
        fig.legend(
            handles,
            list(POSITIONS),
            ncols=3,
            loc="outside upper center",
            handlelength=1.0,
            handleheight=0.8,
        )
        fig.supxlabel(
            "% of stance-taking paragraphs (articles) or comments (readers)   "
            "\u2190 against | favor \u2192",
            fontsize=7,
        )
    return fig
