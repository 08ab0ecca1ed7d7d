"""``readerscope analyze``: parse threads and write the fully analysed tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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


def analyze_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path,
        typer.Option(
            "-o",
            "--out",
            help="Output folder (new, empty, or an earlier readerscope output, which is "
            "replaced whole).",
        ),
    ] = Path("readerscope-out"),
    tables: Annotated[
        str, typer.Option("--tables", help="Table format: parquet, csv or jsonl.")
    ] = "parquet",
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = None,
    topics: TopicsOpt = None,
) -> None:
    """Analyse THREADS (files or directories; none: the built-in sample) into the folder OUT.

    OUT gets comments.<ext> and the thread, sentence, conversation, user, topic and
    topic-by-stance tables, reply/discourse networks (CSV, GraphML, GEXF), a ConvoKit-style
    corpus and manifest.json (inputs' sha256, package versions, config, seeds, stance
    method, file hashes). The folder is written beside OUT and swapped in at the end, so an
    interrupted run leaves the earlier output whole.
    """
    from ..analysis.outputs import TABLE_FORMATS, write_result
    from ..analysis.pipeline import analyze
    from ..comments.outputs import check_target
    from .common import fail

    if tables not in TABLE_FORMATS:
        fail(f"--tables {tables!r}: choose one of {', '.join(TABLE_FORMATS)}")
    cfg = make_config(config, embeddings=embeddings, jobs=jobs, topics=topics)
    check_target(out)  # before the slow part: a folder we may not replace fails at once
    corpus = load_corpus(threads, fmt, n_jobs=cfg.run.n_jobs)
    with stderr_progress() as say:
        result = analyze(corpus, cfg, progress=say)
        say("writing")
        written = write_result(result, out, table_format=tables)
    typer.echo(
        f"analysed {result.comments.height} comments in {result.threads.height} thread(s); "
        f"wrote {len(written)} file(s) to {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("analyze")(one_line_errors(analyze_command))
