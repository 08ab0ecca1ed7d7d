"""The summary of an analysed corpus as plain data: what ``readerscope summary`` prints.

The CLI renders this dictionary (rich tables, or ``--json``); the notebook can show it
too. Everything here is computed from the analysed tables; nothing is recomputed from
the raw input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from .columns import DISPLAY_ORDER, stance_column
from .provenance import stance_method
from .stance.corrected import CodedSheets, StanceEstimates, nested, stance_estimates
from .stance.shares import stance_counts

if TYPE_CHECKING:
    from .pipeline import AnalysisResult

NEUTRAL_BAND = 0.05
"""VADER's conventional neutral band for compound scores."""
SNIPPET = 80
"""Characters of comment text shown in the top-N tables."""


def snippet(text: str | None, width: int = SNIPPET) -> str:
    """One-line text cut to ``width`` characters (with an ellipsis).

    >>> snippet("a  b\\nc", 10)
    'a b c'
    """
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def replies_received(df: pl.DataFrame) -> pl.DataFrame:
    """comment_id -> number of comments whose reply_to is that comment."""
    if "reply_to" not in df.columns:
        return pl.DataFrame(schema={"comment_id": pl.String, "replies": pl.Int64})
    return (
        df.filter(pl.col("reply_to").is_in(df["comment_id"].implode()))
        .group_by("reply_to")
        .agg(pl.len().cast(pl.Int64).alias("replies"))
        .rename({"reply_to": "comment_id"})
    )


def thread_facts(df: pl.DataFrame, threads: pl.DataFrame) -> list[dict[str, Any]]:
    """Per thread: source, shape, title, comments found vs declared, users, warnings."""
    out = []
    for t in threads.iter_rows(named=True):
        sub = df.filter(pl.col("thread_id") == t["thread_id"])
        out.append(
            {
                "thread_id": t["thread_id"],
                "source": t["source"],
                "shape": t["shape"],
                "title": t["title"],
                "comments_found": t["comment_count"],
                "comments_declared": t["declared_count"],
                "users": sub["user"].drop_nulls().n_unique(),
                "unnamed_comments": sub["user"].null_count(),
                "warnings": list(t["warnings"] or []),
            }
        )
    return out


def stance_facts(
    df: pl.DataFrame, targets: Any, estimates: StanceEstimates
) -> dict[str, dict[str, Any]]:
    """Per target key: name, comments, counts per label, the method behind ``corrected``
    and per label ``{estimator: {estimate, lower, upper, n, note}}`` (shares of all
    comments; naive always, corrected and coded with coded sheets)."""
    present = [t for t in targets if stance_column(t.key) in df.columns]
    counts = stance_counts(df, [t.key for t in present])
    shares = nested(estimates.shares, "target")
    out = {}
    for t in present:
        rows = {r["stance"]: r for r in counts.filter(pl.col("target") == t.key).to_dicts()}
        out[t.key] = {
            "name": t.name,
            "comments": rows[DISPLAY_ORDER[0]]["n_total"],
            "counts": {s: rows[s]["count"] for s in DISPLAY_ORDER},
            "method": estimates.corrected_method(t.key),
            **{s: shares[t.key][s] for s in DISPLAY_ORDER},
        }
    return out


def stance_extras(estimates: StanceEstimates, sources: Sequence[dict] = ()) -> dict[str, Any]:
    """How stance was labelled and validated, the coded sample, and the estimates beyond
    the headline shares: differences between targets, per thread, per topic, among users."""
    validation = [
        {k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}
        for r in estimates.validation.iter_rows(named=True)
    ]
    differences = [
        {"first": first, "second": second, "stance": stance, **by_label}
        for (first, second, stance), part in estimates.differences.group_by(
            "first", "second", "stance", maintain_order=True
        )
        for by_label in nested(part).values()
    ]
    return {
        "stance_labelling": {
            "method": estimates.method,
            "line": estimates.labelling,
            "sample": estimates.sample,
            "validation": validation,
            "coded_sheets": list(sources),
        },
        "stance_differences": differences,
        "stance_by_thread": nested(estimates.by_thread, "group", "target"),
        "stance_by_topic": nested(estimates.by_topic, "group", "target"),
        "stance_users": {"caveat": estimates.user_caveat, **nested(estimates.users, "target")},
    }


def sentiment_facts(df: pl.DataFrame) -> dict[str, Any]:
    """Mean and median VADER compound, and comments per sentiment band."""
    if "sentiment_compound" not in df.columns or not df.height:
        return {}
    c = df["sentiment_compound"]
    return {
        "mean_compound": round(float(c.mean()), 4),
        "median_compound": round(float(c.median()), 4),
        "negative": int((c <= -NEUTRAL_BAND).sum()),
        "neutral": int(((c > -NEUTRAL_BAND) & (c < NEUTRAL_BAND)).sum()),
        "positive": int((c >= NEUTRAL_BAND).sum()),
    }


def most_replied(df: pl.DataFrame, received: pl.DataFrame, top: int) -> list[dict[str, Any]]:
    """The ``top`` comments with the most replies (ties: earlier first)."""
    replied = (
        df.join(received, on="comment_id", how="inner")
        .sort(["replies", "position"], descending=[True, False])
        .head(top)
    )
    return [
        {
            "comment_id": r["comment_id"],
            "position": r["position"],
            "user": r["user"],
            "replies": r["replies"],
            "text": snippet(r["text"]),
        }
        for r in replied.iter_rows(named=True)
    ]


def most_active_users(df: pl.DataFrame, received: pl.DataFrame, top: int) -> list[dict]:
    """The ``top`` users by comments, then replies received."""
    mean = (
        pl.col("sentiment_compound").mean().round(4)
        if "sentiment_compound" in df.columns
        else pl.lit(None, pl.Float64)
    )
    per_user = (
        df.join(received, on="comment_id", how="left")
        .group_by(pl.col("user").fill_null("(no name)"))
        .agg(
            pl.len().cast(pl.Int64).alias("comments"),
            pl.col("replies").fill_null(0).sum().cast(pl.Int64).alias("replies_received"),
            mean.alias("mean_compound"),
        )
        .sort(["comments", "replies_received", "user"], descending=[True, True, False])
        .head(top)
    )
    return per_user.to_dicts()


def summarize(
    result: AnalysisResult, *, top: int = 5, coded: CodedSheets | None = None
) -> dict[str, Any]:
    """The summary as plain data (what ``--json`` prints and the tables show).

    ``coded``: filled coding sheets (:func:`.stance.corrected.read_coded_sheets`); with them
    the stance shares come with corrected and coded estimates beside the naive ones.
    """
    df = result.comments
    keys = [t.key for t in result.targets if stance_column(t.key) in df.columns]
    estimates = stance_estimates(df, keys, coded, method=stance_method(result.config)["method"])
    received = replies_received(df)
    reply_links = (
        int(df["reply_to"].is_in(df["comment_id"].implode()).sum())
        if "reply_to" in df.columns
        else 0
    )
    topics = []
    if not result.topics.is_empty():
        for r in result.topics.sort("size", descending=True).head(top).iter_rows(named=True):
            topics.append({"topic": r["topic"], "label": r["label"], "size": r["size"]})
    return {
        "comments": df.height,
        "users": df["user"].drop_nulls().n_unique(),
        "reply_links": reply_links,
        "threads": thread_facts(df, result.threads),
        "stance": stance_facts(df, result.targets, estimates),
        **stance_extras(estimates, coded.sources if coded else ()),
        "sentiment": sentiment_facts(df),
        "topics": topics,
        "most_replied": most_replied(df, received, top),
        "most_active_users": most_active_users(df, received, top),
    }
