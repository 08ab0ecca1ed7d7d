"""Reader-view text of a Japan Today page (shape 'reader-view').

Header block (section, title, byline, notices, copyright lines, ``NN Comments`` often
twice), then anonymous comments: blank-line-separated paragraphs, each comment closed
by its own vote line ``N ( +U / -D )``. Leading ``Name  07:07 am JST`` headers introduce
a quoted earlier comment (see :mod:`.quotes`), not the author, so ``user`` stays null.
A footer (``Login to leave a comment``) ends the thread; an input that stops after the
last vote line but before a footer ends inside a comment, which is kept and flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

from .browser_copy import comment_section
from .page import PageInfo, cut_footer
from .patterns import VOTE_LINE
from .quotes import split_quotes
from .records import RawComment


def _paragraphs(lines: Sequence[str]) -> list[list[str]]:
    paras: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def parse_reader_view(lines: Sequence[str]) -> tuple[list[RawComment], PageInfo]:
    """Parse reader-view lines (already stripped) into anonymous comments."""
    info = PageInfo()
    section, _footer = cut_footer(comment_section(lines, info))
    comments: list[RawComment] = []
    earlier: dict[str, int] = {}
    block: list[str] = []

    def close(vote: str | None) -> None:
        paras = _paragraphs(block)
        q = split_quotes(paras, earlier)
        c = RawComment(lines=q.own, quoted_lines=q.quoted, quoted_user=q.quoted_user)
        if vote is None:
            c.truncated = True
            info.warnings.append(f"input stops inside comment {len(comments) + 1} (kept, flagged)")
        else:
            m = VOTE_LINE.match(vote)
            assert m is not None
            c.score, c.votes_up, c.votes_down = (int(m["score"]), int(m["up"]), int(m["down"]))
        own = set(q.own)
        for p in paras:
            if all(line in own for line in p):
                earlier.setdefault("\n".join(p), len(comments))
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
