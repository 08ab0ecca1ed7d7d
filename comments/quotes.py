"""Separating a quoted earlier comment from the commenter's own words.

Japan Today renders a quote as a header ``Name  07:07 am JST`` (the quoted comment's
author and time) followed by the quoted words. Quoting a comment that itself quoted
someone nests the headers, and a text copy flattens them into consecutive header lines
followed by everything the quoted comment showed (its own quote, then its words).

Rule (documented in docs/ingest.md), on *units* (paragraphs in a reader view, lines in
a browser copy):

1. A header line is a unit of its own even when the quoted line follows it with no
   blank line (the common case in reader views).
2. After ``k`` consecutive headers, the next ``k`` units are quoted (innermost first;
   this is all there is to go on when the quoted comment was deleted or not saved).
3. The quoted block runs on while the following lines repeat, in order, what one
   earlier comment showed (its own quote, then its words: a nested quote shows both;
   a quote may stop early: partial quotes). A unit is cut where such a run ends.
4. ``quoted_user`` is the outermost (first) header's name: the comment being answered.
   Headers with nothing after them are kept as own text, so a line is never lost.

Opening verbatim quotations (``"Nobody reads the article." Then why ...``) are handled
by :func:`split_inline_quote`: the quotation becomes ``quoted_text`` when it repeats
(nearly) a sentence of an earlier comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .patterns import header_name, long_header_name
from .records import RawComment

_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


_KEY_CHARS = 2000
"""Lines are compared on their first 2,000 characters (a 10 MB line costs nothing)."""

_PUNCT = re.compile(r"[^\w\s]")


def norm(line: str) -> str:
    """Comparison form of a line: case, spacing, quote marks and punctuation ignored."""
    return " ".join(_PUNCT.sub(" ", line[:_KEY_CHARS].casefold()).split())


@dataclass
class Shown:
    """What one earlier comment showed (header lines excluded), for quote matching.

    The comparison forms are computed only when a quote needs them (most comments
    quote nothing, so most threads never pay for them).
    """

    user: str | None
    lines: list[str]
    own: list[str]
    _keys: list[str] | None = None
    _sentences: list[str] | None = None
    _words: frozenset[str] | None = None

    @property
    def keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [norm(line) for line in self.lines]
        return self._keys

    @property
    def own_text(self) -> str:
        return " ".join(self.own)[: 10 * _KEY_CHARS]

    @property
    def sentences(self) -> list[str]:
        if self._sentences is None:
            parts = (norm(x) for x in _SENTENCE.split(self.own_text))
            self._sentences = [x for x in parts if x]
        return self._sentences

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(" ".join(self.sentences).split())
        return self._words


@dataclass
class Earlier:
    """Earlier comments of the thread, indexed on demand for quote matching."""

    comments: list[Shown] = field(default_factory=list)
    _where: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _by_word: dict[str, list[int]] = field(default_factory=dict)
    _lines_done: int = 0
    _words_done: int = 0

    def add(self, user: str | None, lines: Sequence[str], own: Sequence[str]) -> None:
        self.comments.append(Shown(user, list(lines), list(own)))

    def where(self, key: str) -> list[tuple[int, int]]:
        """(comment, line) occurrences of a normalised line among the earlier comments."""
        for c in range(self._lines_done, len(self.comments)):
            for j, k in enumerate(self.comments[c].keys):
                if k:
                    self._where.setdefault(k, []).append((c, j))
        self._lines_done = len(self.comments)
        return self._where.get(key, [])

    def with_word(self, word: str) -> list[int]:
        """Earlier comments whose own words hold ``word`` (normalised)."""
        for c in range(self._words_done, len(self.comments)):
            for w in self.comments[c].words:
                self._by_word.setdefault(w, []).append(c)
        self._words_done = len(self.comments)
        return self._by_word.get(word, [])

    def run(self, lines: Sequence[str]) -> int:
        """Length of the longest prefix of ``lines`` that one earlier comment showed in order."""
        if not lines:
            return 0
        keys = [norm(line) for line in lines[:200]]
        best = 0
        for c, j in self.where(keys[0]):
            shown = self.comments[c].keys
            n = 0
            while n < len(keys) and j + n < len(shown) and keys[n] == shown[j + n]:
                n += 1
            best = max(best, n)
        return best


@dataclass
class QuoteSplit:
    own: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    quoted_user: str | None = None
    shown: list[str] = field(default_factory=list)
    """Every non-header line in page order (what a later quote of this comment repeats)."""


def _units(paragraphs: Sequence[Sequence[str]]) -> list[list[str]]:
    """Paragraphs with every header line made a unit of its own (rule 1)."""
    out: list[list[str]] = []
    for para in paragraphs:
        current: list[str] = []
        for line in para:
            if header_name(line) is not None:  # rule 1
                if current:
                    out.append(current)
                out.append([line])
                current = []
            else:
                current.append(line)
        if current:
            out.append(current)
    return out


def _take_quote(units: list[list[str]], j: int, k: int, earlier: Earlier) -> tuple[list[str], int]:
    """Quoted lines starting at unit ``j`` after ``k`` headers; the unit index after them."""
    flat = [line for u in units[j:] for line in u]
    matched = earlier.run(flat)
    end = min(j + k, len(units))
    if matched <= sum(len(u) for u in units[j:end]):  # rule 2: at least one unit per header
        return [line for u in units[j:end] for line in u], end
    quoted = flat[:matched]
    i, used = j, 0
    while i < len(units) and used + len(units[i]) <= matched:
        used += len(units[i])
        i += 1
    if used < matched:  # rule 3: the run ends inside a unit, the rest of it is own text
        units[i] = units[i][matched - used :]
    return quoted, i


def _known_name(header: str, name: str, earlier: Earlier) -> str:
    """The header's name, read longer when only the longer reading is a known commenter."""
    users = {c.user for c in earlier.comments}
    longer = long_header_name(header)
    return longer if longer and name not in users and longer in users else name


def split_quotes(paragraphs: Sequence[Sequence[str]], earlier: Earlier | None = None) -> QuoteSplit:
    """Split a comment's paragraphs into own and quoted lines (see the module rule)."""
    earlier = earlier or Earlier()
    units = _units(paragraphs)
    out = QuoteSplit()
    out.shown = [ln for u in units for ln in u if header_name(ln) is None]
    i, n = 0, len(units)
    while i < n:
        name = header_name(units[i][0]) if len(units[i]) == 1 else None
        if name is None:
            out.own.extend(units[i])
            i += 1
            continue
        names = [name]
        j = i + 1
        while j < n and len(units[j]) == 1 and (more := header_name(units[j][0])) is not None:
            names.append(more)
            j += 1
        if j >= n:  # headers with nothing after them: keep them as own text
            for u in units[i:j]:
                out.own.extend(u)
            break
        header = units[i][0]
        quoted, i = _take_quote(units, j, len(names), earlier)
        out.quoted.extend(quoted)
        if out.quoted_user is None:
            out.quoted_user = _known_name(header, names[0], earlier)
    return out


_OPENING_QUOTE = re.compile(
    r"^([\"“„«「『'‘])(?P<q>[^\"“”„«»「」『』]{8,}?)([\"”»」』'’])(?:\s+|$)"
)


def _near_sentence(quote: str, shown: Shown) -> bool:
    """``quote`` (normalised) is nearly (90%) a sentence, or a run of sentences, of the comment.

    A fragment ('"it is people" - yes') is no verbatim quote of a comment: it stays text.
    """
    words = quote.split()
    if sum(w in shown.words for w in words) < 0.8 * len(words):
        return False  # cheap filter: most of the quote's words must be in the comment
    sents = shown.sentences
    for i in range(len(sents)):
        run = ""
        for s in sents[i:]:
            run = f"{run} {s}".strip()
            if len(run) > 1.2 * len(quote) + 5:
                break
            if SequenceMatcher(None, quote, run, autojunk=False).ratio() >= 0.9:
                return True
    return False


def split_inline_quote(
    own: list[str], earlier: Earlier
) -> tuple[list[str], list[str], str | None] | None:
    """(own, quoted, quoted_user) when the first own line opens with a verbatim quotation.

    The quotation counts only when it has at least three words and repeats (exactly or
    nearly) whole sentences of an earlier comment's own words; the latest such comment
    gives ``quoted_user``. Quotations of the article, of nobody, or of a fragment stay text.
    """
    m = _OPENING_QUOTE.match(own[0]) if own and len(own[0]) < 2000 else None
    if m is None:
        return None
    quote = norm(m.group("q"))
    if len(quote.split()) < 3:
        return None
    # candidates: the comments holding one of the quote's two rarest words
    postings = sorted((earlier.with_word(w) for w in set(quote.split())), key=len)
    candidates = sorted(set(postings[0]) | set(postings[1] if len(postings) > 1 else []))
    for shown in (earlier.comments[c] for c in reversed(candidates)):
        if _near_sentence(quote, shown):
            rest = own[0][m.end() :].strip()
            return ([rest] if rest else []) + own[1:], [m.group("q").strip()], shown.user
    return None


def attach_text(c: RawComment, paragraphs: Sequence[Sequence[str]], earlier: Earlier) -> None:
    """Fill ``c``'s own and quoted lines from its paragraphs, then index it as earlier."""
    q = split_quotes(paragraphs, earlier)
    own, quoted, quoted_user = q.own, q.quoted, q.quoted_user
    if not quoted and (inline := split_inline_quote(own, earlier)) is not None:
        own, quoted, quoted_user = inline
    c.lines, c.quoted_lines, c.quoted_user = own, quoted, quoted_user
    earlier.add(c.user, q.shown, q.own)
