"""Browser copies of a thread: plain ('browser-copy') and fuller ('browser-copy-full').

Plain copy (the seed): article, ``NN Comments``, ``Login to comment``, then for each
comment a username line and its text lines; names are told from text by
:mod:`.names`. Fuller copy: each comment is ``username`` / time line / text lines /
vote line ``N ( +U / -D )``, so the structure is explicit.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .names import split_names
from .page import PageInfo, count_value, cut_footer, parse_header
from .patterns import LOGIN_LINE, TIME_LINE, VOTE_LINE
from .quotes import split_quotes
from .records import RawComment


def comment_section(lines: Sequence[str], info: PageInfo) -> list[str]:
    """Lines after the declared count / login line; fills the header facts in ``info``.

    The count line used is the last one before ``Login to comment`` (pages often show
    it twice); without a login line, the last count line before the first vote line.
    """
    first_vote = next(
        (i for i, ln in enumerate(lines) if len(ln) < 40 and VOTE_LINE.match(ln)), len(lines)
    )
    # a login line after the first vote line is page furniture, not the section start
    login = next((i for i, ln in enumerate(lines[:first_vote]) if LOGIN_LINE.match(ln)), None)
    limit = login if login is not None else first_vote
    counts = [i for i in range(limit) if count_value(lines[i]) is not None]
    if counts:
        info.declared = count_value(lines[counts[-1]])
    elif login is None:
        info.warnings.append("no 'NN Comments' line: the whole input is read as comments")
    if login is not None:
        header_end, start = login, login + 1
    elif counts:
        header_end, start = counts[-1], counts[-1] + 1
    else:
        header_end, start = 0, 0
    parse_header(lines[:header_end], info)
    return list(lines[start:])


def parse_browser_copy(lines: Sequence[str]) -> tuple[list[RawComment], PageInfo]:
    """Plain browser copy (shape 1)."""
    info = PageInfo()
    section, _footer = cut_footer(comment_section(lines, info))
    body = [ln for ln in section if ln]
    split = split_names(body, info.declared)
    if split.note:
        info.warnings.append(split.note)
    comments: list[RawComment] = []
    bounds = [*split.names, len(body)]
    for a, b in pairwise(bounds):
        comments.append(RawComment(user=body[a], lines=list(body[a + 1 : b])))
    return comments, info


def _paragraphs(lines: Sequence[str]) -> list[list[str]]:
    """In a browser copy every line is its own paragraph (blank lines carry nothing)."""
    return [[ln] for ln in lines if ln]


def parse_browser_copy_full(lines: Sequence[str]) -> tuple[list[RawComment], PageInfo]:
    """Fuller browser copy (shape 3): name, time, text lines, vote line per comment."""
    info = PageInfo()
    section, _footer = cut_footer(comment_section(lines, info))
    comments: list[RawComment] = []
    earlier: dict[str, int] = {}
    block: list[str] = []

    def close(vote: str | None) -> None:
        body = [ln for ln in block if ln]
        c = RawComment()
        if len(body) >= 2 and TIME_LINE.match(body[1]):
            c.user, c.posted_at, body = body[0], body[1], body[2:]
        elif body and TIME_LINE.match(body[0]):
            c.posted_at, body = body[0], body[1:]
        else:
            info.warnings.append(
                f"comment {len(comments) + 1} has no name/time lines: user left empty"
            )
        q = split_quotes(_paragraphs(body), earlier)
        c.lines, c.quoted_lines, c.quoted_user = q.own, q.quoted, q.quoted_user
        if vote is None:
            c.truncated = True
            info.warnings.append(f"input stops inside comment {len(comments) + 1} (kept, flagged)")
        else:
            m = VOTE_LINE.match(vote)
            assert m is not None
            c.score, c.votes_up, c.votes_down = (int(m["score"]), int(m["up"]), int(m["down"]))
        for line in c.lines:
            earlier.setdefault(line, len(comments))
        comments.append(c)

    for line in section:
        if len(line) < 40 and VOTE_LINE.match(line):
            close(line)
            block = []
        else:
            block.append(line)
    if any(block):
        close(None)
    return comments, info
