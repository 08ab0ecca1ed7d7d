"""What the page says around the comments: header block, article, declared count, footer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .patterns import (
    BYLINE,
    COPYRIGHT_LINE,
    COUNT_LINE,
    FOOTER_LINE,
    HARD_FOOTER_LINE,
    LOGIN_LINE,
    NOTICE_LINE,
    PUBLISHED_LINE,
    VOTE_LINE,
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


def is_vote(line: str) -> bool:
    """A vote line '3 ( +5 / -2 )' (length-guarded, so huge lines cost nothing)."""
    return len(line) < 40 and VOTE_LINE.match(line) is not None


def _furniture(line: str) -> bool:
    """Header lines that may sit right before the page's own count line."""
    return bool(
        count_value(line) is not None
        or LOGIN_LINE.match(line)
        or COPYRIGHT_LINE.match(line)
        or NOTICE_LINE.match(line)
        or BYLINE.match(line)
        or (len(line) < 60 and PUBLISHED_LINE.match(line))
    )


@dataclass(frozen=True)
class Section:
    """Where the comments start: ``lines[:header_end]`` is the page header."""

    header_end: int
    start: int
    declared: int | None
    has_count: bool
    has_login: bool


def _header_count(lines: Sequence[str], counts: Sequence[int]) -> int:
    """The count line that opens the comment section, among those before the first vote.

    Pages repeat their count ('9 Comments' twice in a reader view); a commenter may paste
    another ('Look at this:' / '24 Comments'). The first count line is the page's; a
    later one is too only if it shows the same number and is not glued to a text line
    (the page's own stand alone or follow header furniture such as '© KYODO').
    """
    first = count_value(lines[counts[0]])
    chosen = counts[0]
    for i in counts[1:]:
        prev = lines[i - 1]
        if count_value(lines[i]) == first and (not prev or _furniture(prev)):
            chosen = i
    return chosen


def find_section(lines: Sequence[str]) -> Section:
    """Locate the comment section in any text shape (also used by the detector).

    ``Login to comment`` (the first one before any vote line) opens the section when
    present; otherwise the page's count line does (see :func:`_header_count`).
    """
    first_vote = next((i for i, ln in enumerate(lines) if is_vote(ln)), len(lines))
    login = next((i for i in range(first_vote) if LOGIN_LINE.match(lines[i])), None)
    limit = login if login is not None else first_vote
    counts = [i for i in range(limit) if count_value(lines[i]) is not None]
    if login is not None:
        declared = count_value(lines[counts[-1]]) if counts else None
        return Section(login, login + 1, declared, bool(counts), True)
    if counts:
        at = _header_count(lines, counts)
        return Section(at, at + 1, count_value(lines[at]), True, False)
    return Section(0, 0, None, False, False)


def comment_section(lines: Sequence[str], info: PageInfo) -> list[str]:
    """Lines after the declared count / login line; fills the header facts in ``info``."""
    sec = find_section(lines)
    info.declared = sec.declared
    if not sec.has_count and not sec.has_login:
        info.warnings.append("no 'NN Comments' line: the whole input is read as comments")
    parse_header(lines[: sec.header_end], info)
    return list(lines[sec.start :])


def _after_footer(line: str) -> bool:
    """Lines that may follow the page footer without being a comment."""
    return not line or bool(FOOTER_LINE.match(line) or COPYRIGHT_LINE.match(line))


def cut_footer(lines: Sequence[str], info: PageInfo, votes: bool) -> tuple[list[str], list[str]]:
    """Split comment-section lines at the page footer: (section, footer).

    Commenters paste footer lines ('Login to leave a comment', '©2025 GPlusMedia Inc.'),
    so a footer line ends the section only when nothing of a comment follows it: no
    vote line after it (``votes``: reader view, full copy), or no line other than footer
    and copyright lines (plain copy). 'Related Articles' ends it in any case. Lines
    dropped after the footer that are not page furniture are reported, never silent.
    """
    hard = next(
        (i for i, ln in enumerate(lines) if len(ln) < 200 and HARD_FOOTER_LINE.match(ln)),
        len(lines),
    )
    body = list(lines[:hard])
    later = 0  # votes (or, plain copy, content lines) after position i
    end = len(body)
    for i in range(len(body) - 1, -1, -1):
        line = body[i]
        if len(line) < 200 and FOOTER_LINE.match(line) and later == 0:
            end = i
        if (votes and is_vote(line)) or (not votes and not _after_footer(line)):
            later += 1
    dropped = [ln for ln in body[end:] if not _after_footer(ln)]
    if dropped:
        info.warnings.append(
            f"{len(dropped)} line(s) after the page footer ignored (first: {dropped[0][:60]!r})"
        )
    return body[:end], list(lines[end:])
