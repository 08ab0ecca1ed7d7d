"""The comment table: one row per comment, the contract every stage builds on.

The schema is defined here once. Ingest fills every column the page shows;
``reply_to``/``reply_method``/``reply_confidence`` may be filled later by
:mod:`readerscope.analysis.replies`. Analysis stages only *add* columns
(documented in :mod:`readerscope.analysis.columns`); they never change these.

Modelled on ConvoKit's utterance (id, speaker, text, reply_to, conversation_id).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ARTICLE = "article"
"""``reply_to`` value for a comment that answers the article itself."""


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, polars type and meaning."""

    name: str
    dtype: pl.DataType
    meaning: str


COMMENT_COLUMNS: tuple[Column, ...] = (
    Column("thread_id", pl.String(), "Thread identifier (from the source file name, or given)."),
    Column(
        "comment_id",
        pl.String(),
        "Stable comment id: '<thread_id>-c<position>' (same input, same id, every run).",
    ),
    Column("position", pl.Int32(), "1-based order of the comment on the page."),
    Column(
        "user", pl.String(), "Commenter's display name as shown; null when the page shows none."
    ),
    Column(
        "text",
        pl.String(),
        "The commenter's own words: paragraphs kept ('\\n' between lines), quoted block removed.",
    ),
    Column(
        "quoted_text",
        pl.String(),
        "Text the comment quotes before replying (a quoted earlier comment); null if none.",
    ),
    Column(
        "quoted_user",
        pl.String(),
        "Name in the quote header ('Name  07:07 am JST') of the quoted comment; null if none.",
    ),
    Column(
        "reply_to",
        pl.String(),
        f"comment_id of the comment this one answers, '{ARTICLE}', or null (top level / unknown).",
    ),
    Column(
        "reply_method",
        pl.String(),
        "How reply_to was decided (e.g. 'quote_header', 'quote_exact'); null if none.",
    ),
    Column(
        "reply_confidence", pl.Float64(), "Confidence in reply_to, 0-1; null when reply_to is null."
    ),
    Column(
        "score",
        pl.Int64(),
        "Net score shown on the page (not always up - down); null if not shown.",
    ),
    Column("votes_up", pl.Int64(), "Up-votes shown on the page; null if not shown."),
    Column("votes_down", pl.Int64(), "Down-votes shown (as a positive count); null if not shown."),
    Column(
        "posted_at",
        pl.String(),
        "Time as shown on the page (e.g. 'May 7  08:12 am JST'); null if not shown.",
    ),
    Column(
        "truncated",
        pl.Boolean(),
        "True when the input stopped mid-comment (e.g. an excerpt): the text is partial.",
    ),
)

THREAD_COLUMNS: tuple[Column, ...] = (
    Column("thread_id", pl.String(), "Thread identifier, as in the comment table."),
    Column("source", pl.String(), "Path (or 'sample:<name>') the thread was read from."),
    Column("shape", pl.String(), "Input shape detected or forced (see comments.detect)."),
    Column("title", pl.String(), "Article title when the input shows one; else null."),
    Column(
        "article_text",
        pl.String(),
        "Article body when the input holds one (used for quote detection).",
    ),
    Column(
        "declared_count",
        pl.Int64(),
        "Comment count the page declares ('37 Comments'); null if none.",
    ),
    Column("comment_count", pl.Int64(), "Comments actually parsed."),
    Column("published", pl.String(), "Publication date/time when the input shows one; else null."),
    Column("warnings", pl.List(pl.String()), "Parser warnings (count mismatch, truncation, ...)."),
)


def _schema(columns: tuple[Column, ...]) -> pl.Schema:
    return pl.Schema({c.name: c.dtype for c in columns})


COMMENT_SCHEMA: pl.Schema = _schema(COMMENT_COLUMNS)
THREAD_SCHEMA: pl.Schema = _schema(THREAD_COLUMNS)


def comment_id(thread_id: str, position: int) -> str:
    """The stable id of the comment at ``position`` (1-based) in ``thread_id``."""
    return f"{thread_id}-c{position}"


def empty_comments() -> pl.DataFrame:
    """A comment table with no rows and the full schema."""
    return pl.DataFrame(schema=COMMENT_SCHEMA)


def conform(df: pl.DataFrame, columns: tuple[Column, ...] = COMMENT_COLUMNS) -> pl.DataFrame:
    """Return ``df`` with the schema's columns first, in order and cast to their types.

    Missing schema columns are added as nulls (``truncated`` as False); extra columns
    (added by analysis stages) are kept after the schema's own.
    """
    exprs = []
    for col in columns:
        if col.name in df.columns:
            exprs.append(pl.col(col.name).cast(col.dtype))
        elif col.name == "truncated":
            exprs.append(pl.lit(False, dtype=pl.Boolean()).alias(col.name))
        else:
            exprs.append(pl.lit(None, dtype=col.dtype).alias(col.name))
    names = {c.name for c in columns}
    extras = [pl.col(c) for c in df.columns if c not in names]
    return df.select([*exprs, *extras])


def validate_comments(df: pl.DataFrame) -> None:
    """Raise ValueError if ``df`` breaks the comment-table contract."""
    for col in COMMENT_COLUMNS:
        if col.name not in df.columns:
            raise ValueError(f"comment table lacks column {col.name!r}")
        if df.schema[col.name] != col.dtype:
            raise ValueError(
                f"column {col.name!r} has type {df.schema[col.name]}, expected {col.dtype}"
            )
    if df["comment_id"].n_unique() != df.height:
        raise ValueError("comment_id is not unique")
    if df["text"].null_count():
        raise ValueError("text must not be null (use '' for a comment that only quotes)")


def schema_markdown(columns: tuple[Column, ...] = COMMENT_COLUMNS) -> str:
    """The schema as a Markdown table (used by the README and docs)."""
    rows = ["| column | type | meaning |", "|---|---|---|"]
    rows += [f"| `{c.name}` | {c.dtype} | {c.meaning} |" for c in columns]
    return "\n".join(rows)
