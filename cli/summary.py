"""``readerscope summary``: the one-command overview of a thread (or corpus) in the terminal.

It runs the whole analysis and prints, with rich: thread facts (comments found vs
declared, users), stance per target, sentiment, the top topics, the most-replied
comments and the most active users. ``--json`` prints the same facts as JSON only (for
scripts). Progress for the slow steps goes to stderr, so stdout stays clean.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ..analysis.columns import POSITIONS
from .common import (
    ConfigOpt,
    EmbeddingOpt,
    FormatOpt,
    JobsOpt,
    ThreadsArg,
    TopicsOpt,
    load_corpus,
    make_config,
    one_line_errors,
    stderr_progress,
)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _threads(console, summary: dict[str, Any]) -> None:
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


def _table(title: str, **kwargs):
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", **kwargs)


def _stance(console, summary: dict[str, Any]) -> None:
    table = _table("Stance toward each target")
    table.add_column("target")
    for s in POSITIONS:
        table.add_column(s, justify="right")
    table.add_column("none", justify="right", style="dim")
    for r in summary["stance"]:
        table.add_row(
            r["label"],
            *(f"{r[s]} ({_pct(r['share_' + s])})" for s in POSITIONS),
            str(r["none"]),
        )
    console.print(table)
    console.print("  (shares are of the comments taking a stance on the target)", style="dim")


def _sentiment_and_topics(console, summary: dict[str, Any]) -> None:
    s = summary["sentiment"]
    if s:
        console.print(
            f"[bold]Sentiment[/] (VADER compound): mean {s['mean_compound']:+.2f}, "
            f"median {s['median_compound']:+.2f}; {s['negative']} negative, "
            f"{s['neutral']} neutral, {s['positive']} positive"
        )
    if summary["topics"]:
        table = _table("Top topics")
        table.add_column("topic", justify="right")
        table.add_column("label")
        table.add_column("comments", justify="right")
        for r in summary["topics"]:
            table.add_row(str(r["topic"]), r["label"], str(r["size"]))
        console.print(table)


def _people(console, summary: dict[str, Any]) -> None:
    if summary["most_replied"]:
        table = _table("Most-replied comments", expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("user", no_wrap=True)
        table.add_column("replies", justify="right", no_wrap=True)
        # the snippet gives way to the narrow columns and is cut to one line
        table.add_column("text", overflow="ellipsis", no_wrap=True, ratio=1)
        for r in summary["most_replied"]:
            table.add_row(str(r["position"]), r["user"] or "", str(r["replies"]), r["text"])
        console.print(table)
    table = _table("Most active users")
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


def render(summary: dict[str, Any]) -> None:
    """Print the summary as rich tables on stdout."""
    from rich.console import Console

    console = Console(highlight=False)
    for part in (_threads, _stance, _sentiment_and_topics, _people):
        part(console, summary)


def summary_command(
    threads: ThreadsArg = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON only (for scripts).")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows in the top-N tables.")] = 5,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = None,
    topics: TopicsOpt = None,
) -> None:
    """Summarise THREADS (none: the built-in sample): stance, sentiment, topics, replies, users."""
    from ..analysis.pipeline import analyze
    from ..analysis.summary import summarize

    with stderr_progress() as say:
        cfg = make_config(config, embeddings=embeddings, jobs=jobs, topics=topics)
        say("reading")
        corpus = load_corpus(threads, fmt, n_jobs=cfg.run.n_jobs)
        result = analyze(corpus, cfg, progress=say)
        data = summarize(result, top=top)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        render(data)


def register(app: typer.Typer) -> None:
    app.command("summary")(one_line_errors(summary_command))
