"""Browser copies of a thread: plain ('browser-copy') and fuller ('browser-copy-full').

Plain copy (the seed): article, ``NN Comments``, ``Login to comment``, then for each
comment a username line and its text lines; names are told from text by
:mod:`.names`. Fuller copy: each comment is ``username`` / time line / text lines /
vote line ``N ( +U / -D )``, so the structure is explicit. Quotes in both: :mod:`.quotes`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise

from .names import name_scores, split_names
from .page import PageInfo, comment_section, cut_footer, is_vote
from .patterns import TIME_LINE, VOTE_LINE
from .quotes import Earlier, attach_text
from .records import RawComment


def parse_browser_copy(lines: Sequence[str]) -> tuple[list[RawComment], PageInfo]:
    """Plain browser copy (shape 1)."""
    info = PageInfo()
    section, footer = cut_footer(comment_section(lines, info), info, votes=False)
    body = [ln for ln in section if ln]
    if len(body) >= 2 and footer and name_scores(body[-1:])[0] >= 1.5:
        # the copy would end on a username: its text is the footer-like line after it
        body.append(footer[0])
    split = split_names(body)
    info.warnings.extend(split.notes)
    comments: list[RawComment] = []
    earlier = Earlier()
    for a, b in pairwise([*split.names, len(body)]):
        c = RawComment(user=body[a])
        attach_text(c, [[ln] for ln in body[a + 1 : b]], earlier)
        comments.append(c)
    return comments, info


def vote_blocks(section: Sequence[str]) -> Iterator[tuple[list[str], str | None]]:
    """(lines, vote line) per comment; the last block has vote None if the input stops early."""
    block: list[str] = []
    for line in section:
        if is_vote(line):
            yield block, line
            block = []
        else:
            block.append(line)
    if any(block):
        yield block, None


def set_votes(c: RawComment, vote: str | None, position: int, info: PageInfo) -> None:
    """Votes from the closing vote line, or the truncation flag when there is none."""
    if vote is None:
        c.truncated = True
        info.warnings.append(f"input stops inside comment {position} (kept, flagged)")
        return
    m = VOTE_LINE.match(vote)
    assert m is not None
    c.score, c.votes_up, c.votes_down = int(m["score"]), int(m["up"]), int(m["down"])


def parse_browser_copy_full(lines: Sequence[str]) -> tuple[list[RawComment], PageInfo]:
    """Fuller browser copy (shape 3): name, time, text lines, vote line per comment."""
    info = PageInfo()
    section, _footer = cut_footer(comment_section(lines, info), info, votes=True)
    comments: list[RawComment] = []
    earlier = Earlier()
    for block, vote in vote_blocks(section):
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
        attach_text(c, [[ln] for ln in body], earlier)
        set_votes(c, vote, len(comments) + 1, info)
        comments.append(c)
    return comments, info
