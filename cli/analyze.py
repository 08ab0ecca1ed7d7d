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
    load_corpus,
    make_config,
    stderr_progress,
)


def analyze_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Comment table to write (.parquet, .csv or .jsonl).")
    ] = Path("readerscope-out/comments.parquet"),
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = 1,
    topics: Annotated[bool, typer.Option(help="Cluster topics (BERTopic).")] = True,
) -> None:
    """Analyse THREADS (files or directories; none: the built-in sample) and write the tables.

    Beside OUT it writes the thread, topic, sentence, conversation, user and network tables,
    reply/discourse networks (GraphML, GEXF) and a manifest (inputs, versions, config, seeds).
    """
    from ..analysis.outputs import write_result
    from ..analysis.pipeline import analyze

    corpus = load_corpus(threads, fmt)
    cfg = make_config(config, embeddings=embeddings, jobs=jobs, topics=topics)
    with stderr_progress() as say:
        result = analyze(corpus, cfg, progress=say)
        say("writing")
        written = write_result(result, out)
    typer.echo(
        f"analysed {result.comments.height} comments in {result.threads.height} thread(s); "
        f"wrote {out} and {len(written) - 1} companion file(s) in {out.parent}"
    )


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze_command)
