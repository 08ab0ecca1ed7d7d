"""Writing and reading our own tables; the file extension picks the format.

Parquet keeps every type, list columns included. CSV and JSONL are for people and
other tools: CSV cannot hold a list, so list columns (e.g. the thread table's
``warnings``) are written as a JSON array in one cell; JSONL writes lists natively.
Writing is deterministic (same table -> byte-identical file): no timestamps are
stored, row order is kept, and Parquet is written uncompressed-statistics-free with a
fixed compression codec.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import polars as pl

from .errors import InputError
from .schema import COMMENT_COLUMNS, THREAD_COLUMNS, Column, conform

FORMATS = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, "unsupported table extension (use .parquet, .csv or .jsonl)")
    return fmt


def _lists_to_json(df: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List | pl.Array | pl.Struct):
            values = [
                None if v is None else json.dumps(_plain(v), ensure_ascii=False)
                for v in df[name].to_list()
            ]
            exprs.append(pl.Series(name, values, dtype=pl.String))
        else:
            exprs.append(df[name])
    return pl.DataFrame(exprs)


def _plain(value: object) -> object:
    if isinstance(value, pl.Series):
        return value.to_list()
    return value


def write_table(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as Parquet, CSV or JSONL by the extension of ``path``, atomically.

    The table is written to a temporary file beside ``path`` and renamed into place, so
    an interrupted write leaves the earlier file (or none), never a truncated one.
    """
    p = Path(path)
    fmt = _format(p)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            df.write_parquet(tmp, compression="zstd", compression_level=3, statistics=False)
        elif fmt == "csv":
            _lists_to_json(df).write_csv(tmp)
        else:
            df.write_ndjson(tmp)
        os.replace(tmp, p)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InputError(p, f"cannot be written ({err.strerror or err})") from None
    return p


def _columns_for(df: pl.DataFrame) -> tuple[Column, ...] | None:
    names = set(df.columns)
    if {"comment_id", "text"} <= names:
        return COMMENT_COLUMNS
    if {"thread_id", "comment_count"} <= names:
        return THREAD_COLUMNS
    return None


def _restore_text_types(df: pl.DataFrame, columns: tuple[Column, ...]) -> pl.DataFrame:
    """CSV cells are strings: turn booleans and JSON lists back into their schema types."""
    out = []
    for col in columns:
        if col.name not in df.columns or df.schema[col.name] != pl.String:
            continue
        if col.dtype == pl.Boolean():
            out.append(pl.col(col.name).str.to_lowercase().eq("true").alias(col.name))
        elif isinstance(col.dtype, pl.List):
            values = [None if v is None else json.loads(v) for v in df[col.name].to_list()]
            out.append(pl.Series(col.name, values, dtype=col.dtype))
    return df.with_columns(out) if out else df


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a table written by :func:`write_table` (comment or thread table) back.

    Schema columns get their schema types back; other columns come back as stored
    (from CSV: strings, lists as JSON text).
    """
    p = Path(path)
    fmt = _format(p)
    try:
        if fmt == "parquet":
            df = pl.read_parquet(p)
        elif fmt == "csv":
            df = pl.read_csv(p, infer_schema=False)
        else:
            df = pl.read_ndjson(p, infer_schema_length=None)
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except Exception as err:  # polars raises many error types for malformed files
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(p, f"cannot read as {fmt}: {msg}") from None
    columns = _columns_for(df)
    if columns is None:
        return df
    if fmt == "csv":
        df = _restore_text_types(df, columns)
    try:
        return conform(df, columns)
    except Exception as err:
        raise InputError(p, f"does not match the table schema: {err}") from None
