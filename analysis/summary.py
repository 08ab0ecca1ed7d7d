"""The summary of an analysed corpus as plain data: what ``readerscope summary`` prints.

The CLI renders this dictionary (rich tables, or ``--json``); the notebook can show it
too. Everything here is computed from the analysed tables; nothing is recomputed from
the raw input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from .columns import DISPLAY_ORDER, POSITIONS
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


def stance_facts(df: pl.DataFrame, targets: Any) -> list[dict[str, Any]]:
    """Per target: count per label, comments addressing it, shares among those."""
    present = [t for t in targets if f"stance_{t.key}" in df.columns]
    counts = stance_counts(df, [t.key for t in present])
    out = []
    for t in present:
        rows = {r["stance"]: r for r in counts.filter(pl.col("target") == t.key).to_dicts()}
        out.append(
            {
                "target": t.key,
                "label": t.name,
                **{s: rows[s]["count"] for s in DISPLAY_ORDER},
                "addressing": rows[DISPLAY_ORDER[0]]["n_addressing"],
                **{f"share_{s}": rows[s]["share"] for s in POSITIONS},
            }
        )
    return out


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


def summarize(result: AnalysisResult, *, top: int = 5) -> dict[str, Any]:
    """The summary as plain data (what ``--json`` prints and the tables show)."""
    df = result.comments
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
        "stance": stance_facts(df, result.targets),
        "sentiment": sentiment_facts(df),
        "topics": topics,
        "most_replied": most_replied(df, received, top),
        "most_active_users": most_active_users(df, received, top),
    }
