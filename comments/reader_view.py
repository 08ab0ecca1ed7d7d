"""Reader-view text of a Japan Today page (shape 'reader-view').

Header block (section, title, byline, notices, copyright lines, ``NN Comments`` often
twice), then anonymous comments: blank-line-separated paragraphs, each comment closed
by its own vote line ``N ( +U / -D )``. Leading ``Name  07:07 am JST`` headers introduce
a quoted earlier comment (see :mod:`.quotes`), not the author, so ``user`` stays null.
A footer (``Login to leave a comment``) ends the thread when no vote line follows it;
an input that stops after the last vote line but before a footer ends inside a comment,
which is kept and flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

from .browser_copy import set_votes, vote_blocks
from .page import PageInfo, comment_section, cut_footer
from .quotes import Earlier, attach_text
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
    section, _footer = cut_footer(comment_section(lines, info), info, votes=True)
    comments: list[RawComment] = []
    earlier = Earlier()
    for block, vote in vote_blocks(section):
        c = RawComment()
        attach_text(c, _paragraphs(block), earlier)
        set_votes(c, vote, len(comments) + 1, info)
        comments.append(c)
    return comments, info
