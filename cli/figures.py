"""``readerscope figures``: write every paper figure with its data and a manifest.

For each figure: PDF and SVG (vector), 300-dpi PNG, the plotted numbers as CSV and a JSON
manifest (input sha256, package versions, configuration, seeds, caption), so a reviewer
can regenerate any panel. The same input and configuration give byte-identical files.
The work is :func:`readerscope.figures.write.write_figures`, which the notebook calls too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    CodedOpt,
    ConfigOpt,
    EmbeddingOpt,
    JobsOpt,
    StanceMethodOpt,
    StanceModelOpt,
    ThreadsArg,
    TopicsOpt,
    fail,
    load_corpus,
    make_config,
    one_line_errors,
    stderr_progress,
)


def _regenerate(
    threads: list[Path] | None,
    config: Path | None,
    embeddings: str | None,
    topics: bool | None,
    coded: list[Path] | None,
) -> str:
    """The command line that draws the same figures (for the manifests)."""
    return " ".join(
        ["readerscope", "figures", *(str(t) for t in threads or [])]
        + (["--config", str(config)] if config else [])
        + (["--embeddings", embeddings] if embeddings else [])
        + ([] if topics is None else ["--topics" if topics else "--no-topics"])
        + [f"--coded {c}" for c in coded or []]
    )


def _formats_and_names(formats: str, only: str | None) -> tuple[tuple[str, ...], list | None]:
    """The --format and --only values, checked (one line and exit 2 when unusable)."""
    from ..figures import FIGURE_NAMES
    from ..figures.save import parse_formats

    try:
        fmts = parse_formats(formats)
    except ValueError as err:
        fail(str(err))
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    unknown = [n for n in names or [] if n not in FIGURE_NAMES]
    if unknown:
        fail(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURE_NAMES)}")
    return fmts, names


def figures_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Directory to write the figures into.")
    ] = Path("readerscope-figures"),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: pdf, png, svg.")
    ] = "pdf,svg,png",
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated figure names (default: all).")
    ] = None,
    articles: Annotated[
        list[Path] | None,
        typer.Option("--articles", help="Extra article text files for the framing figure."),
    ] = None,
    config: ConfigOpt = None,
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="Force the input shape.")
    ] = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = None,
    stance_method: StanceMethodOpt = None,
    stance_model: StanceModelOpt = None,
    topics: TopicsOpt = None,
    coded: CodedOpt = None,
) -> None:
    """Write all figures for THREADS (none: the built-in sample) into OUT with data + manifest.

    With ``--coded`` (filled coding sheets) the stance figures draw shares corrected for the
    labelling's errors, with 95% intervals.

    OUT is written beside itself and swapped in at the end (an earlier readerscope figure
    folder is replaced whole; any other non-empty folder is refused).
    """
    from ..analysis.pipeline import analyze
    from ..analysis.stance.corrected import read_coded_sheets
    from ..comments.articles import read_article_files
    from ..comments.outputs import check_target
    from ..figures.write import figure_articles, write_figures

    fmts, names = _formats_and_names(formats, only)
    cfg = make_config(
        config,
        embeddings=embeddings,
        jobs=jobs,
        topics=topics,
        stance_method=stance_method,
        stance_model=stance_model,
    )
    check_target(out)
    read_article_files(list(articles or []))  # a missing article file fails before the work
    with stderr_progress() as say:
        say("reading")
        corpus = load_corpus(threads, input_format, n_jobs=cfg.run.n_jobs)
        targets = cfg.stance.targets()
        sheets = read_coded_sheets(coded, corpus.comments, targets) if coded else None
        result = analyze(corpus, cfg, progress=say)
        say("scoring article paragraphs")
        articles = figure_articles(corpus, sample=not threads, files=articles)
        regenerate = _regenerate(threads, config, embeddings, topics, coded)
        written, skipped = write_figures(
            result,
            articles,
            out,
            formats=fmts,
            names=names,
            regenerate=regenerate,
            on_figure=lambda n: say(f"figure {n}"),
            coded=sheets,
        )
    for name, files in written.items():
        typer.echo(f"{name}: " + ", ".join(sorted(p.name for p in files.values())))
    for name, why in skipped.items():
        typer.echo(f"{name}: skipped ({why})", err=True)
    typer.echo(f"wrote {len(written)} figure(s) of {result.comments.height} comments to {out}")


def register(app: typer.Typer) -> None:
    app.command("figures")(one_line_errors(figures_command))
