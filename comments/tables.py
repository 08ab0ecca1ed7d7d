"""Comment tables from elsewhere (CSV, JSONL, Parquet): shape 'table-*'.

Threads from other sites can use the same analysis if they arrive as a table with at
least a user and a text column. Common column names are mapped onto the schema
(first alias present wins); unknown columns are ignored. When the table has an id
column, ``reply_to``/``parent_id`` values that name those ids are rewritten to our
``comment_id`` s (``reply_method`` 'given', confidence 1.0).
"""

from __future__ import annotations

import io
import json
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
        if shape == "table-jsonl":
            msg = jsonl_problem(data) or msg
        raise InputError(source, f"cannot read as {kind}: {msg}") from None


def _kind(value: object) -> str:
    """A JSON value's kind in words."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else "text"


def jsonl_problem(data: bytes) -> str | None:
    """The first line that makes a JSONL table unreadable, said in words (None if none).

    Each line must be one JSON object, and a field must hold the same kind of value on
    every line: an object on one line and a list on another cannot make one column
    (text, numbers and true/false may mix; null fits anything).
    """
    seen: dict[str, tuple[str, int]] = {}  # field -> (kind, first line)
    for no, raw in enumerate(data.decode("utf-8-sig", "replace").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            return f"line {no} is not valid JSON ({err.msg}, column {err.colno})"
        except (ValueError, RecursionError):
            return f"line {no} is not valid JSON (nested too deeply or a number too long)"
        if not isinstance(value, dict):
            kind = "array" if isinstance(value, list) else _kind(value).removeprefix("a ")
            return (
                f"line {no} is a JSON {kind}, not an object "
                "(each line must be one comment as {...})"
            )
        for key, v in value.items():
            kind = _kind(v)
            if kind == "null":
                continue
            first = seen.setdefault(key, (kind, no))
            structured = {kind, first[0]} & {"an object", "a list"}
            if structured and kind != first[0]:
                return (
                    f"line {no}: field {key!r} holds {kind} here but {first[0]} on line "
                    f"{first[1]}; a field must hold the same kind of value on every line"
                )
    return None


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


def _targets(
    df: pl.DataFrame, reply_col: str, tid: str, info: PageInfo
) -> tuple[list[int | str | None], set[int]]:
    """Row index (0-based), ARTICLE or None per row, and the rows resolved by a duplicate id.

    A reply to an id that several rows carry goes to the nearest earlier row with it
    (a reply follows what it answers), else the first such row.
    """
    id_col = _pick(df, "id")
    ids = df[id_col].cast(pl.String).to_list() if id_col else []
    rows: dict[str, list[int]] = {}
    for i, v in enumerate(ids):
        if v is not None:
            rows.setdefault(str(v).strip(), []).append(i)
    for value, where in rows.items():
        if len(where) > 1:
            shown = ", ".join(str(i + 1) for i in where[:-1]) + f" and {where[-1] + 1}"
            info.warnings.append(
                f"comment id {value!r} appears in rows {shown}: a reply to it goes to the "
                "nearest earlier row with that id (confidence 0.5)"
            )
    own = {comment_id(tid, i): i - 1 for i in range(1, df.height + 1)}
    targets: list[int | str | None] = []
    ambiguous: set[int] = set()
    unknown = 0
    for r, raw in enumerate(df[reply_col].cast(pl.String).to_list()):
        value = None if raw is None else raw.strip()
        if value is None or value.lower() in _NULL_REPLY:
            targets.append(None)
        elif value == ARTICLE:
            targets.append(ARTICLE)
        elif value in rows:
            where = rows[value]
            before = [i for i in where if i < r]
            targets.append(before[-1] if before else where[0])
            if len(where) > 1:
                ambiguous.add(r)
        elif value in own:
            targets.append(own[value])
        else:
            targets.append(None)
            unknown += 1
    if unknown:
        info.warnings.append(
            f"{unknown} reply_to value(s) name no comment in the table: left empty"
        )
    return targets, ambiguous


def _drop_impossible(targets: list[int | str | None], info: PageInfo) -> None:
    """Drop self-replies and break reply cycles (in place), with a warning for each.

    Every row has at most one parent, so a cycle is found by walking up the parents. In
    a cycle some row answers a later row; the earliest row's edge is dropped (it must
    point forward), which breaks the cycle and keeps every comment.
    """
    for r, t in enumerate(targets):
        if t == r:
            targets[r] = None
            info.warnings.append(f"row {r + 1} replies to itself: its reply_to is dropped")
    state = [0] * len(targets)  # 0 unseen, 1 on the current walk, 2 done
    for start in range(len(targets)):
        walk: list[int] = []
        node: int | str | None = start
        while isinstance(node, int) and state[node] == 0:
            state[node] = 1
            walk.append(node)
            node = targets[node]
        if isinstance(node, int) and state[node] == 1:  # back on this walk: a cycle
            cycle = walk[walk.index(node) :]
            first = min(cycle)
            targets[first] = None
            shown = ", ".join(str(i + 1) for i in sorted(cycle))
            info.warnings.append(
                f"reply cycle through rows {shown}: dropped the reply_to of row {first + 1} "
                "(it answers a later row)"
            )
        for i in walk:
            state[i] = 2


def _map_replies(df: pl.DataFrame, reply_col: str, tid: str, info: PageInfo) -> dict:
    """reply_to / reply_method / reply_confidence columns from the table's reply column."""
    targets, ambiguous = _targets(df, reply_col, tid, info)
    _drop_impossible(targets, info)
    ids = [comment_id(tid, t + 1) if isinstance(t, int) else t for t in targets]
    method: list = [None if t is None else "given" for t in targets]
    conf: list = [
        None if t is None else 0.5 if r in ambiguous else 1.0 for r, t in enumerate(targets)
    ]
    # our own output, read back: keep how each reply was decided
    if "reply_method" in df.columns and "reply_confidence" in df.columns:
        given_m = df["reply_method"].cast(pl.String).to_list()
        given_c = df["reply_confidence"].cast(pl.Float64, strict=False).to_list()
        method = [None if t is None else (m or "given") for t, m in zip(ids, given_m, strict=True)]
        conf = [
            k if k is None or c is None else min(c, k) for k, c in zip(conf, given_c, strict=True)
        ]
    return {
        "reply_to": pl.Series(ids, dtype=pl.String),
        "reply_method": pl.Series(method, dtype=pl.String),
        "reply_confidence": pl.Series(conf, dtype=pl.Float64),
    }
