"""Write an AnalysisResult as one output folder that lands whole or not at all.

The folder holds the comment table (``comments.<ext>``), the companion tables, the
networks, a ConvoKit-style corpus and ``manifest.json`` (inputs' sha256, package
versions, configuration, seeds, stance method, and the sha256 of every file written).
It is written beside its target and swapped into place in one step
(:func:`readerscope.comments.outputs.output_folder`), so an interrupted run leaves the
earlier complete output, never a mix.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..comments import Corpus, write_table
from ..comments.outputs import MARKER, output_folder
from .pipeline import AnalysisResult
from .provenance import run_manifest, sha256_file
from .replies.conversation import conversation_table, user_table
from .replies.convokit import write_convokit
from .replies.networks import build_networks, write_networks
from .topics.tables import topics_by_stance

TABLE_FORMATS = ("parquet", "csv", "jsonl")


def companion_tables(result: AnalysisResult) -> dict[str, pl.DataFrame]:
    """Every table written beside the comment table, by name."""
    tables = {
        "threads": result.threads,
        "sentences": result.sentences,
        "conversation": conversation_table(result.comments),
        "users": user_table(result.comments),
    }
    if result.topics.height:
        tables["topics"] = result.topics
        tables["topics_by_stance"] = topics_by_stance(result.comments)
    return tables


def write_networks_and_corpus(result: AnalysisResult, folder: Path) -> tuple[list[Path], dict]:
    """The networks (bounded as ``config.networks`` says) and the ConvoKit corpus; returns
    the files and the networks' bound (with the edges it kept) for the manifest."""
    nets = build_networks(result.comments, result.config.networks)
    written = write_networks(nets, folder / "networks")
    corpus = Corpus(result.comments, result.threads)
    convokit = write_convokit(
        result.comments, folder / "convokit", titles=corpus.titles(), articles=corpus.articles()
    )
    return written + sorted(convokit.iterdir()), nets.bound


def _write_all(result: AnalysisResult, folder: Path, ext: str) -> tuple[list[Path], dict]:
    written = [write_table(result.comments, folder / f"comments.{ext}")]
    for name, table in companion_tables(result).items():
        written.append(write_table(table, folder / f"{name}.{ext}"))
    derived, bound = write_networks_and_corpus(result, folder)
    return written + derived, bound


def write_result(
    result: AnalysisResult, out_dir: str | Path, *, table_format: str = "parquet"
) -> list[Path]:
    """Write the result into the folder ``out_dir``; return every path, the comments first.

    ``out_dir`` must be absent, empty, or an earlier readerscope output folder (which is
    replaced). ``table_format`` is parquet, csv or jsonl.
    """
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"table_format {table_format!r}; choose one of {', '.join(TABLE_FORMATS)}")
    out_dir = Path(out_dir)
    with output_folder(out_dir) as tmp:
        files, bound = _write_all(result, tmp, table_format)
        hashes = {str(p.relative_to(tmp)): sha256_file(p) for p in files if p.is_file()}
        manifest = run_manifest(
            result.threads,
            result.config,
            stance_choice=result.stance_choice,
            extra={"files": hashes, "networks": bound},
        )
        (tmp / MARKER).write_text(
            json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        relative = [p.relative_to(tmp) for p in files]
    return [out_dir / p for p in relative] + [out_dir / MARKER]
