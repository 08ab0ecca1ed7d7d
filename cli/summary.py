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

from ..analysis.columns import DISPLAY_ORDER, NOT_ADDRESSED
from .common import (
    CodedOpt,
    ConfigOpt,
    EmbeddingOpt,
    FormatOpt,
    JobsOpt,
    StanceMethodOpt,
    StanceModelOpt,
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


def _cell(e: dict[str, Any] | None) -> str:
    """'43% [29-59]'; an exact (census) share as '49% exact'; no number as '-'."""
    if not e or e["estimate"] is None:
        return "-"
    if e["lower"] == e["upper"] == e["estimate"] and (e["note"] or "").startswith("census"):
        return f"{_pct(e['estimate'])} exact"
    return f"{_pct(e['estimate'])} [{100 * e['lower']:.0f}\u2013{100 * e['upper']:.0f}]"


def _estimators(summary: dict[str, Any]) -> list[str]:
    first = next(iter(summary["stance"].values()), {})
    return [k for k in ("naive", "corrected", "coded") if k in first.get("none", {})]


def _stance(console, summary: dict[str, Any]) -> None:
    names = _estimators(summary)
    table = _table("Stance toward each target")
    table.add_column("target")
    table.add_column("stance")
    table.add_column("comments", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    for t in summary["stance"].values():
        for i, s in enumerate(DISPLAY_ORDER):
            style = "dim" if s == NOT_ADDRESSED else None
            cells = [_cell(t[s].get(name)) for name in names]
            table.add_row(t["name"] if i == 0 else "", s, str(t["counts"][s]), *cells, style=style)
    console.print(table)
    total = next(iter(summary["stance"].values()), {}).get("comments", 0)
    console.print(f"  shares of all {total} comments, 95% intervals (none = not addressed)")
    console.print("  naive: the classifier's labels, ignoring its errors", style="dim")
    _stance_notes(console, summary, names)


def _stance_notes(console, summary: dict[str, Any], names: list[str]) -> None:
    """How stance was labelled and validated, the coded sample, the corrected method, and
    why any number is missing (each reason once)."""
    labelling = summary["stance_labelling"]
    console.print(f"  [bold]Stance labelling:[/] {labelling['line']}")
    if labelling.get("choice"):
        console.print(f"  method chosen: {labelling['choice']}", style="dim")
    if "corrected" not in names:
        return
    console.print(f"  {labelling['sample']}")
    methods = {key: t["method"] for key, t in summary["stance"].items() if t["method"]}
    if len(set(methods.values())) == 1:
        console.print(f"  corrected: {next(iter(methods.values()))}")
    else:
        for key, method in methods.items():
            console.print(f"  corrected ({key}): {method}")
    for reason, where in _missing(summary, names).items():
        console.print(f"  [yellow]no number[/] ({where}): {reason}")
    _differences(console, summary, names)


def _missing(summary: dict[str, Any], names: list[str]) -> dict[str, str]:
    """Why numbers are missing: reason -> the cells it explains ('all corrected' when it
    explains every cell of an estimator)."""
    cells: dict[str, list[tuple[str, str, str]]] = {}
    for key, t in summary["stance"].items():
        for s in DISPLAY_ORDER:
            for name in names:
                if t[s][name]["estimate"] is None:
                    cells.setdefault(t[s][name]["note"] or "no estimate", []).append((key, s, name))
    every = len(summary["stance"]) * len(DISPLAY_ORDER)
    out = {}
    for reason, where in cells.items():
        whole = [n for n in names if sum(w[2] == n for w in where) == every]
        rest = [f"{k} {s} {n}" for k, s, n in where if n not in whole]
        out[reason] = ", ".join([*(f"all {n}" for n in whole), *rest])
    return out


def _differences(console, summary: dict[str, Any], names: list[str]) -> None:
    table = _table("Differences between targets (first minus second, percentage points)")
    table.add_column("difference")
    for name in names:
        table.add_column(name, justify="right")
    label = {key: t["name"] for key, t in summary["stance"].items()}
    for d in summary["stance_differences"]:
        row = f"{d['stance']}: {label[d['first']]} \u2212 {label[d['second']]}"
        table.add_row(row, *(_signed(d.get(name)) for name in names))
    console.print(table)
    console.print(
        "  per thread, per topic and per user: readerscope summary --json "
        "(stance_by_thread, stance_by_topic, stance_users)",
        style="dim",
    )


def _signed(e: dict[str, Any] | None) -> str:
    """A difference in percentage points: '+30 [+8, +51]', '+30 exact' or '-'."""
    if not e or e["estimate"] is None:
        return "-"
    mid, lo, hi = (100 * e[k] for k in ("estimate", "lower", "upper"))
    if lo == hi == mid and (e["note"] or "").startswith("census"):
        return f"{mid:+.0f} exact"
    return f"{mid:+.0f} [{lo:+.0f}, {hi:+.0f}]"


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
    stance_method: StanceMethodOpt = None,
    stance_model: StanceModelOpt = None,
    topics: TopicsOpt = None,
    coded: CodedOpt = None,
) -> None:
    """Summarise THREADS (none: the built-in sample): stance, sentiment, topics, replies, users.

    With ``--coded`` (filled coding sheets, several allowed) the stance shares come with
    estimates corrected for the labelling's errors and the labelling's validation.
    """
    from ..analysis.pipeline import analyze
    from ..analysis.stance.corrected import read_coded_sheets
    from ..analysis.summary import summarize

    with stderr_progress() as say:
        cfg = make_config(
            config,
            embeddings=embeddings,
            jobs=jobs,
            topics=topics,
            stance_method=stance_method,
            stance_model=stance_model,
        )
        say("reading")
        corpus = load_corpus(threads, fmt, n_jobs=cfg.run.n_jobs)
        targets = cfg.stance.targets()
        sheets = read_coded_sheets(coded, corpus.comments, targets) if coded else None
        result = analyze(corpus, cfg, progress=say)
        data = summarize(result, top=top, coded=sheets)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        render(data)


def register(app: typer.Typer) -> None:
    app.command("summary")(one_line_errors(summary_command))
