"""``readerscope figures``: write every paper figure with its data and a manifest.

For each figure: PDF and SVG (vector), 300-dpi PNG, the plotted numbers as CSV and a JSON
manifest (input sha256, package versions, configuration, seeds, caption), so a reviewer
can regenerate any panel. The same input and configuration give byte-identical files.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    ConfigOpt,
    EmbeddingOpt,
    JobsOpt,
    ThreadsArg,
    fail,
    load_corpus,
    make_config,
    stderr_progress,
)

if TYPE_CHECKING:
    import polars as pl

    from ..comments import Corpus


def input_hashes(corpus: Corpus) -> list[dict[str, str | None]]:
    """sha256 of each thread's input file (the packaged file for the built-in sample)."""
    out = []
    for source in dict.fromkeys(corpus.threads["source"].to_list()):
        if source.startswith("sample:"):
            name = source.removeprefix("sample:")
            data = resources.files("readerscope.comments").joinpath(f"samples/{name}.txt")
            digest = hashlib.sha256(data.read_bytes()).hexdigest()
        elif Path(source).is_file():
            digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        else:
            digest = None
        out.append({"source": source, "sha256": digest})
    return out


def find_seeds(values: Any, prefix: str = "") -> dict[str, Any]:
    """Every ``random_state``/``seed`` setting in a nested config dict, by dotted path."""
    found: dict[str, Any] = {}
    if isinstance(values, dict):
        for key, value in values.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                found.update(find_seeds(value, path))
            elif "seed" in str(key) or "random_state" in str(key):
                found[path] = value
    return found


def article_table(corpus: Corpus, sample: bool, article_files: list[Path] | None) -> pl.DataFrame:
    """Articles to compare with the readers: the sample's coverage set, else each thread's
    own article (when the input holds it), plus any ``--articles`` files."""
    import polars as pl

    from ..comments.articles import load_sample_articles

    schema = {c: pl.String for c in ("article_id", "outlet", "source_file", "provenance", "text")}
    parts = []
    if sample:
        parts.append(load_sample_articles())
    else:
        rows = [
            {
                "article_id": f"{r['thread_id']}-article",
                "outlet": (r["title"] or r["thread_id"])[:40],
                "source_file": r["source"],
                "provenance": "article text at the head of the thread input",
                "text": r["article_text"],
            }
            for r in corpus.threads.iter_rows(named=True)
            if r["article_text"]
        ]
        parts.append(pl.DataFrame(rows, schema=schema))
    for path in article_files or []:
        if not path.is_file():
            from ..comments import InputError

            raise InputError(path, "article file not found")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            from ..comments import InputError

            raise InputError(path, "article file is not UTF-8 text") from None
        row = {
            "article_id": path.stem,
            "outlet": path.stem[:40],
            "source_file": str(path),
            "provenance": "--articles file",
            "text": text,
        }
        parts.append(pl.DataFrame([row], schema=schema))
    return pl.concat(parts, how="vertical")


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
    jobs: JobsOpt = 1,
) -> None:
    """Write all figures for THREADS (none: the built-in sample) into OUT with data + manifest."""
    from ..analysis.config import config_to_dict
    from ..analysis.pipeline import analyze
    from ..figures import FIGURE_NAMES, FigureInputs, parse_formats, render_figures
    from ..figures.common import PlotTarget
    from ..figures.framing import score_article_paragraphs

    try:
        fmts = parse_formats(formats)
    except ValueError as err:
        fail(str(err))
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    unknown = [n for n in names or [] if n not in FIGURE_NAMES]
    if unknown:
        fail(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURE_NAMES)}")
    if out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a directory")

    from ..comments.articles import article_paragraphs

    with stderr_progress() as say:
        say("reading")
        corpus = load_corpus(threads, input_format)
        cfg = make_config(config, embeddings=embeddings, jobs=jobs)
        result = analyze(corpus, cfg, progress=say)
        say("scoring article paragraphs")
        arts = article_table(corpus, not threads, articles)
        units = score_article_paragraphs(article_paragraphs(arts), cfg.stance)
        inputs = FigureInputs(
            comments=result.comments,
            targets=tuple(PlotTarget(t.key, t.name) for t in result.targets),
            article_units=units,
        )
        cfg_dict = config_to_dict(cfg)
        manifest = {
            "inputs": input_hashes(corpus),
            "articles": [
                {
                    "article_id": a["article_id"],
                    "outlet": a["outlet"],
                    "source_file": a["source_file"],
                    "sha256": hashlib.sha256(a["text"].encode()).hexdigest(),
                }
                for a in arts.iter_rows(named=True)
            ],
            "config": cfg_dict,
            "seeds": find_seeds(cfg_dict),
            "regenerate": " ".join(
                ["readerscope", "figures", *(str(t) for t in threads or [])]
                + (["--config", str(config)] if config else [])
                + (["--embeddings", embeddings] if embeddings else [])
            ),
        }
        written, skipped = render_figures(
            inputs, out, fmts, manifest, names, on_figure=lambda n: say(f"figure {n}")
        )
    for name, files in written.items():
        typer.echo(f"{name}: " + ", ".join(sorted(p.name for p in files.values())))
    for name, why in skipped.items():
        typer.echo(f"{name}: skipped ({why})", err=True)
    typer.echo(f"wrote {len(written)} figure(s) to {out}")


def register(app: typer.Typer) -> None:
    app.command("figures")(figures_command)
