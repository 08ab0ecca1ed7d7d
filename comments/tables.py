"""Comment tables from elsewhere (CSV, JSONL, Parquet): shape 'table-*'.

Threads from other sites can use the same analysis if they arrive as a table with at
least a user and a text column. Common column names are mapped onto the schema
(first alias present wins); unknown columns are ignored. When the table has an id
column, ``reply_to``/``parent_id`` values that name those ids are rewritten to our
``comment_id`` s (``reply_method`` 'given', confidence 1.0).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import polars as pl

from .errors import InputError
from .page import PageInfo
from .schema import ARTICLE, COMMENT_SCHEMA, comment_id

ALIASES: dict[str, tuple[str, ...]] = {
    "user": ("user", "author", "username", "user_name", "screen_name", "name", "commenter"),
    "text": ("text", "body", "comment", "content", "message", "comment_text"),
    "id": ("comment_id", "id", "comment_key"),
    "reply_to": ("reply_to", "parent_id", "parent", "in_reply_to", "reply_to_id"),
    "posted_at": ("posted_at", "time", "created_at", "timestamp", "date", "created_utc"),
    "score": ("score", "votes", "points", "net_votes"),
    "votes_up": ("votes_up", "likes", "upvotes", "ups", "up"),
    "votes_down": ("votes_down", "dislikes", "downvotes", "downs", "down"),
    "quoted_text": ("quoted_text",),
    "quoted_user": ("quoted_user",),
    "truncated": ("truncated",),
    "thread_id": ("thread_id", "thread", "article_id", "conversation_id"),
}

_INT_COLUMNS = ("score", "votes_up", "votes_down")
_NULL_REPLY = {"", "0", "none", "null", "nan"}


def load_frame(data: bytes, shape: str, source: str) -> pl.DataFrame:
    """Read raw table bytes; any reader failure becomes an InputError naming the file."""
    try:
        if shape == "table-csv":
            return pl.read_csv(io.BytesIO(data), infer_schema=False)
        if shape == "table-jsonl":
            return pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
        return pl.read_parquet(io.BytesIO(data))
    except Exception as err:  # polars raises many error types for malformed files
        kind = shape.removeprefix("table-").upper()
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(source, f"cannot read as {kind}: {msg}") from None


def _pick(df: pl.DataFrame, key: str) -> str | None:
    lower = {c.lower(): c for c in df.columns}
    return next((lower[a] for a in ALIASES[key] if a in lower), None)


@dataclass
class TableThread:
    """One thread's rows, mapped onto the schema."""

    thread_id: str
    comments: pl.DataFrame
    info: PageInfo = field(default_factory=PageInfo)


def _as_int(df: pl.DataFrame, col: str, source: str, target: str) -> pl.Series:
    s = df[col]
    if s.dtype == pl.String:
        s = s.str.strip_chars().str.replace(r"^\+", "")
    out = s.cast(pl.Float64, strict=False)
    bad = out.is_null() & s.is_not_null() & (s.cast(pl.String) != "")
    if bad.any():
        example = s.filter(bad)[0]
        raise InputError(source, f"column {col!r} ({target}) holds a non-number: {example!r}")
    return out.cast(pl.Int64)


def map_table(df: pl.DataFrame, source: str, default_thread: str) -> list[TableThread]:
    """Map a raw table onto the comment schema, one TableThread per thread_id."""
    user_col, text_col = _pick(df, "user"), _pick(df, "text")
    for key, col in (("user", user_col), ("text", text_col)):
        if col is None:
            names = "/".join(ALIASES[key][:4])
            hint = ""
            if len(df.columns) == 1 and any(sep in df.columns[0] for sep in ";\t|"):
                hint = "; the separator must be a comma"
            raise InputError(
                source, f"no {key} column (looked for {names}; has {df.columns}){hint}"
            )
        if isinstance(df.schema[col], pl.List | pl.Array | pl.Struct | pl.Object):
            raise InputError(source, f"column {col!r} ({key}) holds {df.schema[col]}, not text")
    tid_col = _pick(df, "thread_id")
    if tid_col is not None:
        tids = df[tid_col].cast(pl.String).fill_null(default_thread)
    else:
        tids = pl.Series([default_thread] * df.height, dtype=pl.String)
    df = df.with_columns(tids.alias("__thread"))
    out = []
    for tid in df["__thread"].unique(maintain_order=True).to_list():
        part = df.filter(pl.col("__thread") == tid)
        out.append(_map_one(part, source, tid, user_col, text_col))  # type: ignore[arg-type]
    return out


def _map_one(df: pl.DataFrame, source: str, tid: str, user_col: str, text_col: str) -> TableThread:
    info = PageInfo()
    n = df.height
    text = df[text_col].cast(pl.String)
    if text.null_count():
        info.warnings.append(f"{text.null_count()} row(s) without text: kept with text ''")
        text = text.fill_null("")
    cols: dict[str, pl.Series] = {
        "thread_id": pl.Series([tid] * n, dtype=pl.String),
        "comment_id": pl.Series([comment_id(tid, i) for i in range(1, n + 1)], dtype=pl.String),
        "position": pl.Series(range(1, n + 1), dtype=pl.Int32),
        "user": df[user_col].cast(pl.String),
        "text": text.str.replace_all("\r\n", "\n"),
    }
    for key in ("quoted_text", "quoted_user", "posted_at"):
        col = _pick(df, key)
        if col is not None:
            cols[key] = df[col].cast(pl.String)
    for key in _INT_COLUMNS:
        col = _pick(df, key)
        if col is not None:
            cols[key] = _as_int(df, col, source, key)
    trunc = _pick(df, "truncated")
    if trunc is not None:
        t = df[trunc]
        if t.dtype != pl.Boolean:
            t = t.cast(pl.String).str.to_lowercase().is_in(["true", "1", "yes"])
        cols["truncated"] = t.fill_null(False)
    reply_col = _pick(df, "reply_to")
    if reply_col is not None:
        cols.update(_map_replies(df, reply_col, tid, info))
    table = pl.DataFrame(cols)
    table = table.select(
        [
            table[c].cast(dt) if c in table.columns else pl.lit(None, dtype=dt).alias(c)
            for c, dt in COMMENT_SCHEMA.items()
        ]
    ).with_columns(pl.col("truncated").fill_null(False))
    return TableThread(tid, table, info)


def _map_replies(df: pl.DataFrame, reply_col: str, tid: str, info: PageInfo) -> dict:
    id_col = _pick(df, "id")
    ids = df[id_col].cast(pl.String).to_list() if id_col else []
    own = {comment_id(tid, i) for i in range(1, df.height + 1)}
    lookup = {str(v): comment_id(tid, i) for i, v in enumerate(ids, start=1) if v is not None}
    targets: list[str | None] = []
    unknown = 0
    for raw in df[reply_col].cast(pl.String).to_list():
        value = None if raw is None else raw.strip()
        if value is None or value.lower() in _NULL_REPLY:
            targets.append(None)
        elif value == ARTICLE:
            targets.append(ARTICLE)
        elif value in lookup:
            targets.append(lookup[value])
        elif value in own:
            targets.append(value)
        else:
            targets.append(None)
            unknown += 1
    if unknown:
        info.warnings.append(
            f"{unknown} reply_to value(s) name no comment in the table: left empty"
        )
    method: list = [None if t is None else "given" for t in targets]
    conf: list = [None if t is None else 1.0 for t in targets]
    # our own output, read back: keep how each reply was decided
    if "reply_method" in df.columns and "reply_confidence" in df.columns:
        given_m = df["reply_method"].cast(pl.String).to_list()
        given_c = df["reply_confidence"].cast(pl.Float64, strict=False).to_list()
        method = [
            None if t is None else (m or "given") for t, m in zip(targets, given_m, strict=True)
        ]
        conf = [
            None if t is None else (1.0 if c is None else c)
            for t, c in zip(targets, given_c, strict=True)
        ]
    return {
        "reply_to": pl.Series(targets, dtype=pl.String),
        "reply_method": pl.Series(method, dtype=pl.String),
        "reply_confidence": pl.Series(conf, dtype=pl.Float64),
    }
