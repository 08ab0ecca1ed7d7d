"""Write a figure with its data and a manifest, so a reviewer can regenerate it.

Every saved figure ``<name>`` becomes ``<name>.pdf|.svg|.png`` (as asked), ``<name>.csv``
(exactly the numbers plotted) and ``<name>.json`` (the manifest: input hash, data
hash, package versions, configuration, seeds). Files carry no dates or random ids, so
the same input and configuration give byte-identical files on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from matplotlib.figure import Figure

from ..analysis.provenance import package_versions, sha256_file
from .style import paper_style

FORMATS: tuple[str, ...] = ("pdf", "svg", "png")
"""Formats written by default: two vector formats and a 300-dpi raster."""

PNG_DPI = 300

# Metadata keys matplotlib would fill with the current date; None removes them.
_METADATA: dict[str, dict[str, Any]] = {
    "pdf": {"CreationDate": None, "ModDate": None},
    "svg": {"Date": None},
    "png": {},
}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_formats(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """'pdf,png' or ['pdf', 'png'] -> ('pdf', 'png'); raises ValueError on unknown formats."""
    if spec is None:
        return FORMATS
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    formats = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in items if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(
            f"unknown figure format(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    return formats


def _csv_bytes(data: pl.DataFrame) -> bytes:
    # Nested columns (lists) cannot go to CSV; write them as '; '-joined strings.
    flat = data.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join("; ")
        for c, t in data.schema.items()
        if isinstance(t, pl.List)
    )
    return flat.write_csv(float_precision=6).encode()


def save_figure(
    fig: Figure,
    data: pl.DataFrame,
    out_dir: str | Path,
    name: str,
    formats: Sequence[str] = FORMATS,
    manifest: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``fig`` in ``formats`` plus its data CSV and a JSON manifest into ``out_dir``.

    ``manifest`` holds what the caller knows about provenance (input sha256, config,
    seeds, caption); this function adds the file hashes and package versions.
    Returns ``{kind: path}`` for every file written (kinds: formats, 'csv', 'manifest').
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with paper_style():
        for fmt in parse_formats(list(formats)):
            path = out / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=PNG_DPI, metadata=_METADATA[fmt])
            written[fmt] = path
    csv_path = out / f"{name}.csv"
    csv = _csv_bytes(data)
    csv_path.write_bytes(csv)
    written["csv"] = csv_path
    record: dict[str, Any] = {
        "figure": name,
        **dict(manifest or {}),
        "data_file": csv_path.name,
        "data_sha256": sha256_bytes(csv),
        "files": {p.name: sha256_file(p) for kind, p in written.items() if kind != "csv"},
        "packages": package_versions(),
    }
    manifest_path = out / f"{name}.json"
    manifest_path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    written["manifest"] = manifest_path
    return written
