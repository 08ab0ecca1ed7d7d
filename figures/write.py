"""Every figure of an analysis, written with its data and manifests: one call for the CLI
and the notebook.

The manifest common to the figures is the run's provenance
(:func:`readerscope.analysis.provenance.run_manifest`) plus the articles compared with the
readers; each figure adds its caption, seeds and the comment table's hash. The folder is
written beside its target and swapped into place whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from ..analysis.pipeline import AnalysisResult
from ..analysis.provenance import run_manifest
from ..analysis.stance.articles import article_stance
from ..analysis.stance.corrected import CodedSheets, stance_estimates
from ..comments import Corpus
from ..comments.articles import load_sample_articles, read_article_files, thread_articles
from ..comments.outputs import MARKER, output_folder
from .catalog import FigureInputs, render_figures
from .common import PlotTarget
from .save import FORMATS


def figure_articles(
    corpus: Corpus, *, sample: bool, files: Sequence[Path] | None = None
) -> pl.DataFrame:
    """Articles to compare with the readers: the sample's coverage set, else each thread's
    own article (when the input holds it), plus any extra article files."""
    own = load_sample_articles() if sample else thread_articles(corpus)
    return pl.concat([own, read_article_files(list(files or []))], how="vertical")


def _article_records(articles: pl.DataFrame) -> list[dict[str, str]]:
    return [
        {
            "article_id": a["article_id"],
            "outlet": a["outlet"],
            "source_file": a["source_file"],
            "sha256": hashlib.sha256(a["text"].encode()).hexdigest(),
        }
        for a in articles.iter_rows(named=True)
    ]


def write_figures(
    result: AnalysisResult,
    articles: pl.DataFrame,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    names: Sequence[str] | None = None,
    regenerate: str | None = None,
    on_figure: Callable[[str], None] | None = None,
    coded: CodedSheets | None = None,
) -> tuple[dict[str, dict[str, Path]], dict[str, str]]:
    """Draw and save the figures into ``out_dir``; (written files per figure, skipped: why).

    ``coded``: filled coding sheets (:func:`..analysis.stance.corrected.read_coded_sheets`);
    with them the stance figures draw corrected shares with their intervals, and every
    manifest names the sheets (path, sha256) and how the labelling was validated.
    """
    targets = tuple(PlotTarget(t.key, t.name) for t in result.targets)
    estimates = stance_estimates(
        result.comments, [t.key for t in targets], coded, method=result.config.stance.method
    )
    inputs = FigureInputs(
        comments=result.comments,
        targets=targets,
        article_units=article_stance(articles, result.config.stance),
        estimates=estimates,
    )
    extra = {
        "articles": _article_records(articles),
        "regenerate": regenerate,
        "coded_sheets": list(coded.sources) if coded else [],
        "stance_labelling": {"line": estimates.labelling, "sample": estimates.sample},
    }
    manifest = run_manifest(result.threads, result.config, extra=extra)
    manifest.pop("written_by")  # per figure: the folder's own manifest names the writer
    out_dir = Path(out_dir)
    with output_folder(out_dir) as tmp:
        written, skipped = render_figures(
            inputs, tmp, formats, manifest, names, on_figure=on_figure
        )
        folder = {"written_by": "readerscope", "figures": sorted(written), "skipped": skipped}
        (tmp / MARKER).write_text(json.dumps(folder, indent=2, sort_keys=True) + "\n")
    moved = {
        name: {kind: out_dir / p.name for kind, p in files.items()}
        for name, files in written.items()
    }
    return moved, skipped
