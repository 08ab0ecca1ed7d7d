"""Every paper figure in one list, and a function that renders them all with provenance.

``render_figures`` is what ``readerscope figures`` and the notebook call: for each figure
it computes the plotted table, draws the figure and writes both (plus a manifest) with
:func:`.save.save_figure`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from matplotlib.figure import Figure

from ..analysis.stance.corrected import StanceEstimates
from . import framing, replies, sentiment, stance, threads, topics, users
from .common import PlotTarget
from .save import FORMATS, save_figure


@dataclass(frozen=True)
class FigureInputs:
    """What the figures are drawn from: the analysed comment table and its companions.

    article_units: scored article paragraphs for figure 6 (None: that figure is skipped).
    estimates: the stance estimates (:func:`..analysis.stance.corrected.stance_estimates`);
        with coded sheets the stance figures draw corrected shares and their intervals
        (None: naive ones, computed by the figures).
    """

    comments: pl.DataFrame
    targets: tuple[PlotTarget, ...]
    article_units: pl.DataFrame | None = None
    estimates: StanceEstimates | None = None

    @property
    def coded(self) -> bool:
        """Whether coded sheets correct the stance shares."""
        return self.estimates is not None and self.estimates.coded


@dataclass(frozen=True)
class FigureSpec:
    """One figure: file name, what it shows (caption), and how to get its data and plot."""

    name: str
    caption: str
    data: Callable[[FigureInputs], pl.DataFrame]
    plot: Callable[[FigureInputs], Figure]
    needs: tuple[str, ...] = ()
    needs_articles: bool = False
    seeds: Mapping[str, int] = dataclasses.field(default_factory=dict)
    coded_caption: str | None = None
    """The caption when coded sheets correct the figure's shares (None: ``caption``)."""

    def caption_for(self, inputs: FigureInputs) -> str:
        return self.coded_caption if inputs.coded and self.coded_caption else self.caption


def _t(inp: FigureInputs) -> list[PlotTarget]:
    return list(inp.targets)


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "stance_distribution",
        "Stance of reader comments toward each target. Bars show the share of comments "
        "that take a stance on the target (against left, favor right, neutral centred); "
        "numbers are counts and shares; '(k of n)' gives the comments addressing the target "
        "out of all comments. Whiskers: 95% Wilson intervals of the against and favor shares "
        "of the classifier's labels (they ignore its errors; the neutral interval is in the "
        "data file).",
        lambda i: stance.stance_distribution_data(i.comments, _t(i), estimates=i.estimates),
        lambda i: stance.stance_distribution(i.comments, _t(i), estimates=i.estimates),
        coded_caption="Stance of reader comments toward each target, corrected for the "
        "labelling's errors with a hand-coded sample (PPI++ for a random sample, DSL for "
        "unequal inclusion probabilities; docs/estimates.md). Bars show the corrected share "
        "of ALL comments (against left, favor right, neutral centred); '(none k%)' is the "
        "share not addressing the target. Whiskers: 95% intervals of the against and favor "
        "shares (a census, every comment coded, gives exact shares: its whiskers show the "
        "coded-only interval). The neutral interval, the estimator and the coded sample size "
        "are in the data file; '*' marks a share that could not be estimated.",
    ),
    FigureSpec(
        "stance_distribution_users",
        "The same distribution counted per commenter: each user counts once, with the stance "
        "most of their comments on the target take (ties: neutral), so prolific commenters "
        "weigh as much as anyone else. Whiskers: 95% Wilson intervals of the classifier's "
        "shares (not corrected for its errors, with or without coded sheets).",
        lambda i: stance.stance_distribution_data(i.comments, _t(i), unit="user"),
        lambda i: stance.stance_distribution(i.comments, _t(i), unit="user"),
    ),
    FigureSpec(
        "stance_by_thread",
        "Stance per thread: the share of each thread's comments against (circles) and in "
        "favor of (squares) each target, with 95% Wilson intervals of the classifier's "
        "labels (they ignore its errors); the number after a thread is its comments.",
        lambda i: threads.stance_by_thread_data(i.comments, _t(i), estimates=i.estimates),
        lambda i: threads.stance_by_thread(i.comments, _t(i), estimates=i.estimates),
        coded_caption="Stance per thread, corrected for the labelling's errors with a "
        "hand-coded sample (only a thread's coded comments correct its shares; "
        "docs/estimates.md): the share of each thread's comments against (circles) and in "
        "favor of (squares) each target, with 95% intervals (a fully coded thread's share "
        "is exact: its whiskers show the coded-only interval). A missing point could not be "
        "estimated (too few coded comments in the thread; see the data file's note).",
    ),
    FigureSpec(
        "stance_by_user",
        "Stance by commenter. Rows: commenters, most comments first (count in brackets); "
        "colour: net stance (favor - against) / comments addressing the target; number: "
        "comments addressing the target; grey: the commenter never addressed it.",
        lambda i: users.stance_by_user_data(i.comments, _t(i)),
        lambda i: users.stance_by_user(i.comments, _t(i)),
    ),
    FigureSpec(
        "sentiment_distribution",
        "Distribution of comment sentiment (VADER compound, -1 to 1). The grey bar is "
        "VADER's neutral band (|compound| < 0.05); the dashed line is the mean.",
        lambda i: sentiment.sentiment_distribution_data(i.comments),
        lambda i: sentiment.sentiment_distribution(i.comments),
        needs=("sentiment_compound",),
    ),
    FigureSpec(
        "sentiment_by_stance",
        "Sentiment against stance, per target: each dot is a comment taking a stance on the "
        "target (vertical jitter only separates dots), bars are group means. Sentiment and "
        "stance differ: a comment can be negative in tone and favour a target.",
        lambda i: sentiment.sentiment_by_stance_data(i.comments, _t(i)),
        lambda i: sentiment.sentiment_by_stance(i.comments, _t(i)),
        needs=("sentiment_compound",),
        seeds={"jitter_seed": sentiment.JITTER_SEED},
    ),
    FigureSpec(
        "topic_sizes",
        "Topics (BERTopic method on all-MiniLM-L6-v2 embeddings), labelled with their top "
        "words; bars are comments per topic; 'unclustered' is not a topic.",
        lambda i: topics.topic_sizes_data(i.comments),
        lambda i: topics.topic_sizes(i.comments),
        needs=("topic",),
    ),
    FigureSpec(
        "topic_stance",
        "Stance toward each target within each topic (rows: topics, comments in brackets); "
        "bars as in the headline figure, numbers are comment counts.",
        lambda i: topics.topic_stance_data(i.comments, _t(i)),
        lambda i: topics.topic_stance(i.comments, _t(i)),
        needs=("topic",),
    ),
    FigureSpec(
        "reply_network",
        "Reply structure of the thread: x is the comment's position on the page, y its depth "
        "in the reply tree (article on top); lines are replies inferred by the reply stage; "
        "node area grows with replies received; colour is the comment's stance toward the "
        "panel's target. Comments with no inferred target sit at depth 1 without a line.",
        lambda i: replies.reply_network_data(i.comments, _t(i)),
        lambda i: replies.reply_network(i.comments, _t(i)),
        needs=("reply_to",),
    ),
    FigureSpec(
        "article_framing",
        "Framing of the coverage beside the readers: stance of article paragraphs per outlet "
        "(same stance method, each paragraph scored alone) and of the reader comments, per "
        "target; numbers are paragraph or comment counts.",
        lambda i: framing.article_framing_data(i.comments, i.article_units, _t(i)),
        lambda i: framing.article_framing(i.comments, i.article_units, _t(i)),
        needs_articles=True,
    ),
)
"""All figures, headline first."""

FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in FIGURES)


def available(spec: FigureSpec, inputs: FigureInputs) -> str | None:
    """None when ``spec`` can be drawn from ``inputs``, else why not."""
    missing = [c for c in spec.needs if c not in inputs.comments.columns]
    if missing:
        return f"the table lacks {', '.join(missing)}"
    if spec.needs_articles and (inputs.article_units is None or inputs.article_units.is_empty()):
        return "no article text to compare with"
    if spec.needs == ("topic",) and inputs.comments["topic"].null_count() == inputs.comments.height:
        return "topics were not computed"
    return None


def table_sha256(df: pl.DataFrame) -> str:
    """SHA-256 of a table's CSV form (order and values), for manifests."""
    flat = df.select(
        pl.col(c).cast(pl.List(pl.String)).list.join("; ") if isinstance(t, pl.List) else pl.col(c)
        for c, t in df.schema.items()
    )
    return hashlib.sha256(flat.write_csv().encode()).hexdigest()


INTERVAL_COLUMNS = ("estimator", "lower", "upper", "n")


def _intervals(data: pl.DataFrame) -> dict[str, Any]:
    """For a figure that draws intervals: the estimator(s), level, coded sample size and
    every interval drawn (also in its data file), for its manifest."""
    if not set(INTERVAL_COLUMNS) <= set(data.columns):
        return {}
    keys = [c for c in ("thread_id", "target", "stance") if c in data.columns]
    rows = data.select(*keys, "estimator", *(c for c in ("share", "estimate") if c in data.columns),
                       "lower", "upper", "n", "interval")  # fmt: skip
    return {
        "intervals": {
            "level": 0.95,
            "estimators": sorted(set(data["estimator"].drop_nulls())),
            "rows": rows.to_dicts(),
        }
    }


def render_figures(
    inputs: FigureInputs,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    manifest: Mapping[str, Any] | None = None,
    names: Sequence[str] | None = None,
    on_figure: Callable[[str], None] | None = None,
) -> tuple[dict[str, dict[str, Path]], dict[str, str]]:
    """Draw and save the figures (all, or ``names``); returns (written files, skipped: why).

    ``manifest`` is the provenance common to every figure (inputs' sha256, config, ...);
    each figure's manifest adds its caption, its own seeds and the comment table's hash.
    """
    import matplotlib.pyplot as plt

    wanted = list(names) if names else list(FIGURE_NAMES)
    unknown = [n for n in wanted if n not in FIGURE_NAMES]
    if unknown:
        raise ValueError(
            f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURE_NAMES)}"
        )
    comments_hash = table_sha256(inputs.comments)
    written: dict[str, dict[str, Path]] = {}
    skipped: dict[str, str] = {}
    for spec in FIGURES:
        if spec.name not in wanted:
            continue
        why = available(spec, inputs)
        if why:
            skipped[spec.name] = why
            continue
        if on_figure:
            on_figure(spec.name)
        data = spec.data(inputs)
        fig = spec.plot(inputs)
        record = {
            **dict(manifest or {}),
            **_intervals(data),
            "caption": spec.caption_for(inputs),
            "comments_table_sha256": comments_hash,
            "targets": [dataclasses.asdict(t) for t in inputs.targets],
            "figure_seeds": dict(spec.seeds),
        }
        written[spec.name] = save_figure(fig, data, out_dir, spec.name, formats, record)
        plt.close(fig)
    return written, skipped
