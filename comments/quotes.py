"""Separating a quoted earlier comment from the commenter's own words.

Japan Today renders a quote as a header ``Name  07:07 am JST`` (the quoted comment's
author and time) followed by the quoted words. Quoting a comment that itself quoted
someone nests the headers, and a text copy flattens them into consecutive header lines.

Rule (documented in docs/ingest.md): ``k`` consecutive header paragraphs introduce the
next ``k`` paragraphs as quoted, innermost first (the first quoted paragraph belongs to
the last header). The quoted block is extended by further paragraphs only while they
continue, verbatim, the same earlier comment the last quoted paragraph came from (a
multi-paragraph quote). ``quoted_user`` is the outermost (first) header's name: the
comment being answered. A header with no paragraph after it is kept as own text, so a
line is never lost. Header lines themselves are structure, not text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .patterns import header_name


@dataclass
class QuoteSplit:
    own: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    quoted_user: str | None = None


def _header_names(paragraph: Sequence[str]) -> list[str] | None:
    names = [header_name(line) for line in paragraph]
    if not names or any(n is None for n in names):
        return None
    return [n for n in names if n is not None]


def split_quotes(
    paragraphs: Sequence[Sequence[str]], earlier: dict[str, int] | None = None
) -> QuoteSplit:
    """Split a comment's paragraphs into own and quoted lines.

    ``earlier`` maps each paragraph text of earlier comments (own words) to that comment's
    index; it lets a quote run over several paragraphs of the same earlier comment.
    """
    earlier = earlier or {}
    out = QuoteSplit()
    i = 0
    n = len(paragraphs)
    while i < n:
        names = _header_names(paragraphs[i])
        if names is None:
            out.own.extend(paragraphs[i])
            i += 1
            continue
        j = i + 1
        while j < n and (more := _header_names(paragraphs[j])) is not None:
            names.extend(more)
            j += 1
        if j >= n:  # headers with nothing after them: keep them as own text
            for p in paragraphs[i:j]:
                out.own.extend(p)
            i = j
            continue
        take = min(len(names), n - j)
        quoted = list(paragraphs[j : j + take])
        end = j + take
        source = earlier.get("\n".join(quoted[-1]))
        while source is not None and end < n and earlier.get("\n".join(paragraphs[end])) == source:
            quoted.append(paragraphs[end])
            end += 1
        for p in quoted:
            out.quoted.extend(p)
        if out.quoted_user is None:
            out.quoted_user = names[0]
        i = end
    return out
