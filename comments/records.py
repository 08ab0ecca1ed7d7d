"""One parsed comment before it becomes a table row, and the row builder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from .schema import COMMENT_SCHEMA, comment_id


@dataclass
class RawComment:
    """What a parser found for one comment; text is kept as lines (paragraphs joined)."""

    user: str | None = None
    lines: list[str] = field(default_factory=list)
    quoted_lines: list[str] = field(default_factory=list)
    quoted_user: str | None = None
    score: int | None = None
    votes_up: int | None = None
    votes_down: int | None = None
    posted_at: str | None = None
    truncated: bool = False
    reply_to: str | None = None
    reply_method: str | None = None
    reply_confidence: float | None = None


def to_frame(thread_id: str, comments: Sequence[RawComment]) -> pl.DataFrame:
    """The comment table (COMMENT_SCHEMA) for ``comments`` in page order."""
    rows = [
        {
            "thread_id": thread_id,
            "comment_id": comment_id(thread_id, pos),
            "position": pos,
            "user": c.user,
            "text": "\n".join(c.lines),
            "quoted_text": "\n".join(c.quoted_lines) if c.quoted_lines else None,
            "quoted_user": c.quoted_user,
            "reply_to": c.reply_to,
            "reply_method": c.reply_method,
            "reply_confidence": c.reply_confidence,
            "score": c.score,
            "votes_up": c.votes_up,
            "votes_down": c.votes_down,
            "posted_at": c.posted_at,
            "truncated": c.truncated,
        }
        for pos, c in enumerate(comments, start=1)
    ]
    return pl.DataFrame(rows, schema=COMMENT_SCHEMA)
