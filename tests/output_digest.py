"""Content digests of an analysis output folder, figure data and summary.

Used by tests/test_architecture.py to check that the outputs on the built-in sample stay
what they were (tests/fixtures/sample_output_digests.json). Tables are digested by their
content (canonical CSV), not their Parquet bytes, so a polars release that changes the
file's metadata does not count as a change of results.

Regenerate after an intended change of results (say why in the commit):
    readerscope analyze -o OUT_FOLDER && readerscope figures -o FIGURE_FOLDER
    readerscope summary --json > SUMMARY.json
    python tests/output_digest.py OUT_FOLDER FIGURE_FOLDER SUMMARY.json \
        > tests/fixtures/sample_output_digests.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import polars as pl

TABLE_SUFFIXES = (".parquet",)


def table_digest(df: pl.DataFrame) -> str:
    """sha256 of a table's canonical CSV (list columns as JSON)."""
    flat = df.with_columns(
        pl.col(c).map_elements(lambda v: json.dumps(list(v)), return_dtype=pl.String)
        for c, t in df.schema.items()
        if isinstance(t, pl.List)
    )
    return hashlib.sha256(flat.write_csv().encode()).hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """name -> digest for every table, network and corpus file of an output folder."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_dir() or p.name == "manifest.json":
            continue
        rel = str(p.relative_to(folder))
        if p.suffix in TABLE_SUFFIXES:
            out[rel] = table_digest(pl.read_parquet(p))
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def figure_digests(folder: Path) -> dict[str, str]:
    """figure name -> sha256 of its data CSV."""
    return {
        p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))
    }


def summary_digest(summary: dict) -> str:
    """sha256 of the summary's JSON with sorted keys (what ``summary --json`` prints)."""
    text = json.dumps(summary, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


if __name__ == "__main__":
    analysis, figures = Path(sys.argv[1]), Path(sys.argv[2])
    digests = {"outputs": folder_digests(analysis), "figure_data": figure_digests(figures)}
    if len(sys.argv) > 3:
        digests["summary"] = summary_digest(json.loads(Path(sys.argv[3]).read_text()))
    print(json.dumps(digests, indent=2, sort_keys=True))
