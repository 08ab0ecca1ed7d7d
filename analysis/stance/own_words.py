"""The commenter's own words: lines that quote an earlier comment or the article are dropped.

Stance is the commenter's, so a quoted opponent's line must not count as theirs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[\w'’-]+")
_QUOTE_OPEN = "\"“”'‘«「"


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 0))}


def own_lines(text: str, earlier: Sequence[str] = (), article: str | None = None) -> list[str]:
    """The lines of ``text`` that are the commenter's own words.

    Dropped: a line in quotation marks (a line that opens with one loses the quoted part
    up to the closing mark; an unclosed opening quote drops the line); a line of five or
    more words of which 60 % of 4-word shingles occur in an earlier comment or the article
    (quotes pasted without marks).
    """
    sources = _shingles("\n".join([*earlier, article or ""]))
    kept = []
    for line in (text or "").split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in _QUOTE_OPEN:
            # A line opening with a quotation: keep only what follows the closing mark
            # ('"Japan-China Friendship" but following whose rules?' keeps the question).
            close = re.search(r"[\"“”'’»」](?=\s|$)", stripped[1:])
            stripped = stripped[close.end() + 1 :].strip(" .,") if close else ""
            if not stripped:
                continue
        sh = _shingles(stripped)
        overlap = len(sh & sources) / len(sh) if sh else 0.0
        if len(sh) >= 2 and overlap >= 0.6:
            continue
        kept.append(stripped)
    return kept
