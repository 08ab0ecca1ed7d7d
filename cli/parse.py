"""``readerscope parse [THREAD] -o OUT``: a thread file (or the sample) -> comment table."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import typer

from .common import one_line_errors


def parse(
    thread: Annotated[
        Path | None,
        typer.Argument(
            help="Thread file (text copy, reader view, CSV/JSONL/Parquet). "
            "None: the built-in sample."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output table; .parquet, .csv or .jsonl."),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Force the input shape: browser-copy, browser-copy-full, reader-view, "
            "table-csv, table-jsonl, table-parquet.",
        ),
    ] = None,
    thread_id: Annotated[
        str | None, typer.Option("--thread-id", help="Thread id (default: the file name stem).")
    ] = None,
) -> None:
    """Parse a comment thread into the comment table and print a one-line report."""
    from ..comments import ParseWarning, read_thread, write_table
    from ..comments.outputs import check_writable

    if out is not None:
        check_writable(out)  # before the parse: an unwritable OUT fails at once
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)  # the report line carries them
        parsed = read_thread(thread, format=format, thread_id=thread_id)
    if out is not None:
        write_table(parsed.comments, out)
    report = parsed.report()
    if out is not None:
        report += f" -> {out}"
    typer.echo(report)


def register(app: typer.Typer) -> None:
    """Add the ``parse`` command to ``app``."""
    app.command("parse")(one_line_errors(parse))
