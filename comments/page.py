"""What the page says around the comments: header block, article, declared count, footer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .patterns import (
    BYLINE,
    COPYRIGHT_LINE,
    COUNT_LINE,
    FOOTER_LINE,
    LOGIN_LINE,
    NOTICE_LINE,
    PUBLISHED_LINE,
)

_SENTENCE_END = (".", "!", "?", "”", '"', ":")


@dataclass
class PageInfo:
    """Thread-level facts and warnings collected while parsing."""

    declared: int | None = None
    title: str | None = None
    article_text: str | None = None
    published: str | None = None
    warnings: list[str] = field(default_factory=list)


def count_value(line: str) -> int | None:
    """The number in a '37 Comments' line, else None."""
    m = COUNT_LINE.match(line) if len(line) < 30 else None
    return int(m.group(1).replace(",", "")) if m else None


def parse_header(lines: Sequence[str], info: PageInfo) -> None:
    """Fill title/published/article_text from the lines before the comment section.

    Structural lines are dropped: counts, notices ('The requested article has
    expired...'), copyright lines ('© KYODO'), bylines. A first line that does not end
    like a sentence is the title; a one- or two-word line before it is the section.
    """
    rest: list[str] = []
    for line in lines:
        if not line or count_value(line) is not None or LOGIN_LINE.match(line):
            continue
        if COPYRIGHT_LINE.match(line) or NOTICE_LINE.match(line) or BYLINE.match(line):
            continue
        if len(line) < 60 and PUBLISHED_LINE.match(line):
            if info.published is None:
                info.published = line
            continue
        rest.append(line)
    if rest and len(rest[0].split()) <= 2 and len(rest) > 1 and not rest[1].endswith(_SENTENCE_END):
        rest = rest[1:]  # section name ('Politics', 'National')
    if rest and len(rest[0]) < 200 and not rest[0].endswith(_SENTENCE_END):
        info.title = rest[0]
        rest = rest[1:]
    info.article_text = "\n".join(rest) if rest else None


def cut_footer(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split comment-section lines at the first footer line: (section, footer)."""
    for i, line in enumerate(lines):
        if len(line) < 200 and FOOTER_LINE.match(line):
            return list(lines[:i]), list(lines[i:])
    return list(lines), []
