"""``readerscope summary``: the one-command overview of a thread (or corpus) in the terminal.

It runs the whole analysis and prints, with rich: thread facts (comments found vs
declared, users), stance per target, sentiment, the top topics, the most-replied
comments and the most active users. ``--json`` prints the same facts as JSON only (for
scripts). Progress for the slow steps goes to stderr, so stdout stays clean.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    ConfigOpt,
    EmbeddingOpt,
    FormatOpt,
    JobsOpt,
    ThreadsArg,
    load_corpus,
    make_config,
    stderr_progress,
)

if TYPE_CHECKING:
    import polars as pl

    from ..analysis.pipeline import AnalysisResult

STANCES = ("against", "neutral", "favor", "none")
NEUTRAL_BAND = 0.05  # VADER's conventional neutral band for compound scores
SNIPPET = 80


def _snippet(text: str | None, width: int = SNIPPET) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _replies_received(df: pl.DataFrame) -> pl.DataFrame:
    """comment_id -> number of comments whose reply_to is that comment."""
    import polars as pl

    if "reply_to" not in df.columns:
        return pl.DataFrame(schema={"comment_id": pl.String, "replies": pl.Int64})
    return (
        df.filter(pl.col("reply_to").is_in(df["comment_id"].implode()))
        .group_by("reply_to")
        .agg(pl.len().cast(pl.Int64).alias("replies"))
        .rename({"reply_to": "comment_id"})
    )


def summarize(result: AnalysisResult, top: int = 5) -> dict[str, Any]:
    """The summary as plain data (what ``--json`` prints and the tables show)."""
    import polars as pl

    df = result.comments
    n = df.height
    threads = []
    for t in result.threads.iter_rows(named=True):
        sub = df.filter(pl.col("thread_id") == t["thread_id"])
        threads.append(
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
    stance = []
    for tgt in result.targets:
        col = f"stance_{tgt.key}"
        if col not in df.columns:
            continue
        counts = {s: int((df[col] == s).sum()) for s in STANCES}
        addressing = n - counts["none"]
        stance.append(
            {
                "target": tgt.key,
                "label": tgt.name,
                **counts,
                "addressing": addressing,
                "share_against": counts["against"] / addressing if addressing else None,
                "share_neutral": counts["neutral"] / addressing if addressing else None,
                "share_favor": counts["favor"] / addressing if addressing else None,
            }
        )
    sentiment: dict[str, Any] = {}
    if "sentiment_compound" in df.columns and n:
        c = df["sentiment_compound"]
        sentiment = {
            "mean_compound": round(float(c.mean()), 4),
            "median_compound": round(float(c.median()), 4),
            "negative": int((c <= -NEUTRAL_BAND).sum()),
            "neutral": int(((c > -NEUTRAL_BAND) & (c < NEUTRAL_BAND)).sum()),
            "positive": int((c >= NEUTRAL_BAND).sum()),
        }
    topics = []
    if not result.topics.is_empty():
        for r in result.topics.sort("size", descending=True).head(top).iter_rows(named=True):
            topics.append({"topic": r["topic"], "label": r["label"], "size": r["size"]})
    received = _replies_received(df)
    replied = (
        df.join(received, on="comment_id", how="inner")
        .sort(["replies", "position"], descending=[True, False])
        .head(top)
    )
    most_replied = [
        {
            "comment_id": r["comment_id"],
            "position": r["position"],
            "user": r["user"],
            "replies": r["replies"],
            "text": _snippet(r["text"]),
        }
        for r in replied.iter_rows(named=True)
    ]
    per_user = (
        df.join(received, on="comment_id", how="left")
        .group_by(pl.col("user").fill_null("(no name)"))
        .agg(
            pl.len().cast(pl.Int64).alias("comments"),
            pl.col("replies").fill_null(0).sum().cast(pl.Int64).alias("replies_received"),
            (
                pl.col("sentiment_compound").mean().round(4)
                if "sentiment_compound" in df.columns
                else pl.lit(None, pl.Float64)
            ).alias("mean_compound"),
        )
        .sort(["comments", "replies_received", "user"], descending=[True, True, False])
        .head(top)
    )
    reply_links = (
        int(df["reply_to"].is_in(df["comment_id"].implode()).sum())
        if "reply_to" in df.columns
        else 0
    )
    return {
        "comments": n,
        "users": df["user"].drop_nulls().n_unique(),
        "reply_links": reply_links,
        "threads": threads,
        "stance": stance,
        "sentiment": sentiment,
        "topics": topics,
        "most_replied": most_replied,
        "most_active_users": per_user.to_dicts(),
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def render(summary: dict[str, Any]) -> None:
    """Print the summary as rich tables on stdout."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    for t in summary["threads"]:
        declared = t["comments_declared"]
        match = "" if declared is None or declared == t["comments_found"] else " [red](!)[/]"
        console.print(f"[bold]{t['title'] or t['thread_id']}[/]")
        console.print(
            f"  {t['source']} ({t['shape']}): {t['comments_found']} comments found, "
            f"{'?' if declared is None else declared} declared{match}; {t['users']} users"
        )
        for w in t["warnings"]:
            console.print(f"  [yellow]warning:[/] {w}")
    if len(summary["threads"]) > 1:
        console.print(
            f"[bold]{len(summary['threads'])} threads[/]: {summary['comments']} comments, "
            f"{summary['users']} users"
        )
    console.print(f"  {summary['reply_links']} comments answer an earlier comment")

    table = Table(title="Stance toward each target", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("target")
    for s in ("against", "neutral", "favor"):
        table.add_column(s, justify="right")
    table.add_column("none", justify="right", style="dim")
    for r in summary["stance"]:
        table.add_row(
            r["label"],
            *(f"{r[s]} ({_pct(r['share_' + s])})" for s in ("against", "neutral", "favor")),
            str(r["none"]),
        )
    console.print(table)
    console.print("  (shares are of the comments taking a stance on the target)", style="dim")

    s = summary["sentiment"]
    if s:
        console.print(
            f"[bold]Sentiment[/] (VADER compound): mean {s['mean_compound']:+.2f}, "
            f"median {s['median_compound']:+.2f}; {s['negative']} negative, "
            f"{s['neutral']} neutral, {s['positive']} positive"
        )

    if summary["topics"]:
        table = Table(title="Top topics", box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column("topic", justify="right")
        table.add_column("label")
        table.add_column("comments", justify="right")
        for r in summary["topics"]:
            table.add_row(str(r["topic"]), r["label"], str(r["size"]))
        console.print(table)

    if summary["most_replied"]:
        table = Table(
            title="Most-replied comments", box=box.SIMPLE_HEAD, title_justify="left", expand=True
        )
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("user", no_wrap=True)
        table.add_column("replies", justify="right", no_wrap=True)
        # the snippet gives way to the narrow columns and is cut to one line
        table.add_column("text", overflow="ellipsis", no_wrap=True, ratio=1)
        for r in summary["most_replied"]:
            table.add_row(str(r["position"]), r["user"] or "", str(r["replies"]), r["text"])
        console.print(table)

    table = Table(title="Most active users", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("user")
    table.add_column("comments", justify="right")
    table.add_column("replies received", justify="right")
    table.add_column("mean sentiment", justify="right")
    for r in summary["most_active_users"]:
        mean = r["mean_compound"]
        table.add_row(
            r["user"],
            str(r["comments"]),
            str(r["replies_received"]),
            "-" if mean is None else f"{mean:+.2f}",
        )
    console.print(table)


def summary_command(
    threads: ThreadsArg = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON only (for scripts).")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows in the top-N tables.")] = 5,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = 1,
    topics: Annotated[bool, typer.Option(help="Cluster topics (the slowest step).")] = True,
) -> None:
    """Summarise THREADS (none: the built-in sample): stance, sentiment, topics, replies, users."""
    from ..analysis.pipeline import analyze

    with stderr_progress() as say:
        say("reading")
        corpus = load_corpus(threads, fmt)
        cfg = make_config(config, embeddings=embeddings, jobs=jobs, topics=topics)
        result = analyze(corpus, cfg, progress=say)
        data = summarize(result, top)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        render(data)


def register(app: typer.Typer) -> None:
    app.command("summary")(summary_command)
