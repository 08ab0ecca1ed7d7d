"""Text matching for reply inference: tokens, quoted spans, fuzzy quote coverage.

Quotes on comment pages are re-typed or pasted with changed quote marks, lost
apostrophes, a typo or two, or with only one sentence kept. Matching is therefore done
on normalised word tokens (case, punctuation and quote style ignored) with
:class:`difflib.SequenceMatcher`: a quote's *coverage* of a source is the share of its
tokens found there in runs of at least ``min_block`` consecutive tokens, so one typo
costs one token, while scattered common words do not add up to a false quote.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..text.stop_words import ENGLISH_STOP_WORDS

_APOSTROPHES = re.compile(r"['’‘`´]")
_TOKEN = re.compile(r"[a-z0-9]+")
# Opening and closing quote marks, deliberately mixed: pasted quotes often open with one
# style and close with another.
_OPEN = '"“”„«'
_CLOSE = '"“”»'
_QUOTED_SPAN = re.compile(rf"[{_OPEN}]([^{_OPEN}{_CLOSE}\n]+)[{_CLOSE}]")
_LEADING_UNCLOSED = re.compile(rf"^\s*[{_OPEN}]([^{_OPEN}{_CLOSE}\n]+)$")
# Single quote marks double as apostrophes, so they mark a quote only at a line start.
_LEADING_SINGLE = re.compile(r"^\s*['‘](.+?)['’]?[.,;:]?\s*$")
_SENTENCE = re.compile(r"(?<=[.!?])[\"”’)]*\s+")
# Contractions lose their apostrophe in :func:`normalise` ("don't" -> "dont").
_CONTRACTIONS = (
    "dont doesnt didnt isnt arent wasnt werent wont cant couldnt shouldnt wouldnt "
    "im ive id youre youve theyre theyve thats theres its hes shes lets whats weve"
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(_CONTRACTIONS.split()) | {"just", "s"}


_US_UPPER = re.compile(r"\b(?:US|USA)\b")


def normalise(text: str) -> str:
    """Lower-case, NFKC-normalised text with apostrophes dropped (it's == it’s == its).

    "U.S.", "US" and "USA" (upper case only, so the pronoun "us" stays) become "usa".
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _US_UPPER.sub("usa", text)
    text = re.sub(r"\b[Uu]\.[Ss]\.(?:[Aa]\.)?|\bU\.S\b", "usa", text)
    return _APOSTROPHES.sub("", text.lower())


_URL = re.compile(r"https?://\S+|www\.\S+")


def tokens(text: str) -> list[str]:
    """Word tokens of ``text`` after :func:`normalise`; links are not words (two comments
    citing the same URL are not quoting each other)."""
    return _TOKEN.findall(normalise(_URL.sub(" ", text or "")))


def stem(token: str) -> str:
    """A crude plural stem ('trades' -> 'trade'), enough to match echoes across comments."""
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def content_tokens(text: str) -> list[str]:
    """Stemmed tokens without stop words or bare numbers, in order."""
    return [stem(t) for t in tokens(text) if t not in STOP_WORDS and not t.isdigit()]


@dataclass(frozen=True)
class Segment:
    """A stretch of a comment that may be a quote: a quoted span, a line or a sentence."""

    text: str
    marked: bool  # inside quotation marks (or a line opening with an unclosed one)
    line: int  # index of the line it comes from


def candidate_segments(text: str) -> list[Segment]:
    """Quoted spans, whole lines and sentences of ``text``, the places a quote can sit."""
    out: list[Segment] = []
    seen: set[tuple[str, bool]] = set()

    def add(piece: str, marked: bool, line: int) -> None:
        piece = piece.strip()
        if piece and (piece, marked) not in seen:
            seen.add((piece, marked))
            out.append(Segment(piece, marked, line))

    for i, line in enumerate((text or "").split("\n")):
        for m in _QUOTED_SPAN.finditer(line):
            add(m.group(1), True, i)
        for pattern in (_LEADING_UNCLOSED, _LEADING_SINGLE):
            if m := pattern.match(line):
                add(m.group(1), True, i)
        add(line, False, i)
        sentences = _SENTENCE.split(line.strip())
        if len(sentences) > 1:
            for s in sentences:
                add(s, False, i)
    return out


def coverage(
    quote: Sequence[str],
    source: Sequence[str],
    min_block: int = 2,
    min_token: float = 0.5,
    matcher: SequenceMatcher | None = None,
    floor: float | None = None,
) -> tuple[float, bool]:
    """Share of ``quote`` tokens found in ``source`` in runs of >= ``min_block`` tokens.

    Returns (coverage, contiguous): ``contiguous`` is True when the whole quote occurs
    in ``source`` as one run (an exact quote up to case, punctuation and quote marks).
    A real quote sits in one place: runs spread over more than 1.5x the quote's length
    count only the longest. When token coverage is at least ``min_token``, typos inside
    words ("citty", "protectd") may be what breaks the runs: the coverage is then the
    larger of the token coverage and :func:`char_coverage` on that stretch of ``source``.

    ``matcher``: a ``SequenceMatcher(autojunk=False)`` whose second sequence is already
    ``source``, reused so a long source (the article) is indexed once, not per quote.
    ``floor``: the caller only needs values >= ``floor``; when :func:`char_bound` shows
    the character-level coverage cannot reach it, the token coverage (< ``floor``) is
    returned without running the character matcher. Values >= ``floor`` are exact.
    """
    if not quote or not source:
        return 0.0, False
    if matcher is None:
        matcher = SequenceMatcher(None, quote, source, autojunk=False)
    else:
        matcher.set_seq1(quote)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= min(min_block, len(quote))]
    covered = sum(b.size for b in blocks)
    contiguous = any(b.size == len(quote) for b in blocks)
    if not blocks or contiguous:
        return covered / len(quote), contiguous
    slack = len(quote) - covered
    start = max(0, blocks[0].b - slack)
    end = blocks[-1].b + blocks[-1].size + slack
    if end - start > 1.5 * len(quote) + 2:
        # Runs scattered over the source are not one quote: only the longest run counts.
        return max(b.size for b in blocks) / len(quote), False
    cov = covered / len(quote)
    if cov >= min_token:
        stretch = source[start:end]
        if floor is None or cov >= floor or char_bound(quote, stretch) >= floor:
            cov = max(cov, char_coverage(quote, stretch))
    return cov, False


def char_coverage(quote: Sequence[str], source: Sequence[str], min_chars: int = 4) -> float:
    """Share of the quote's characters found in ``source`` in runs of >= ``min_chars``."""
    q, s = " ".join(quote), " ".join(source)
    if not q or not s:
        return 0.0
    blocks = SequenceMatcher(None, q, s, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= min_chars) / len(q)


def char_bound(quote: Sequence[str], source: Sequence[str], min_chars: int = 4) -> float:
    """An upper bound on :func:`char_coverage`, from shared character ``min_chars``-grams.

    Every character in a matching run of >= ``min_chars`` lies in a quote n-gram that
    the source holds too; counting those characters is linear, the matcher is not.
    """
    q, s = " ".join(quote), " ".join(source)
    if not q or len(s) < min_chars:
        return 0.0
    grams = {s[k : k + min_chars] for k in range(len(s) - min_chars + 1)}
    covered = reach = 0
    for k in range(len(q) - min_chars + 1):
        if q[k : k + min_chars] in grams:
            covered += k + min_chars - max(k, reach)
            reach = k + min_chars
    return covered / len(q)


def contains_run(quote: Sequence[str], source: Sequence[str]) -> bool:
    """True if ``quote`` occurs in ``source`` as consecutive tokens."""
    n = len(quote)
    if n == 0 or n > len(source):
        return False
    first = quote[0]
    return any(
        source[i] == first and list(source[i : i + n]) == list(quote)
        for i in range(len(source) - n + 1)
    )


def paragraph_questions(text: str, max_tokens: int) -> list[str]:
    """Short questions that open a paragraph ("Trump wants a fair trade?"): echo-questions."""
    out = []
    for line in (text or "").split("\n"):
        first = _SENTENCE.split(line.strip(), maxsplit=1)[0].strip()
        if first.endswith("?") and 0 < len(tokens(first)) <= max_tokens:
            out.append(first)
    return out


def first_sentence(text: str) -> str:
    """The opening sentence of ``text`` (its first non-empty line, up to . ! or ?)."""
    for line in (text or "").split("\n"):
        if line.strip():
            return _SENTENCE.split(line.strip(), maxsplit=1)[0]
    return ""


def bigrams(items: Sequence[str]) -> set[tuple[str, str]]:
    """Adjacent pairs of ``items``."""
    return set(itertools.pairwise(items))


def covered_bound(
    quote: Sequence[str],
    quote_pairs: Sequence[tuple[str, str]],
    source_tokens: set[str],
    source_pairs: set[tuple[str, str]],
    min_block: int,
) -> int:
    """An upper bound on the quote tokens :func:`coverage` can find in runs (its ``covered``).

    Why: it costs a few set look-ups, where :func:`coverage` runs a SequenceMatcher, so
    sources that cannot reach a threshold are skipped without changing any result.
    With runs of >= 2 tokens every covered token sits in a quote bigram that the source
    also holds; with runs of 1, in a token the source holds. ``quote_pairs`` is
    ``list(itertools.pairwise(quote))``.
    """
    if min(min_block, len(quote)) < 2:
        return sum(1 for t in quote if t in source_tokens)
    hit = [p in source_pairs for p in quote_pairs]
    if not any(hit):
        return 0
    n = len(quote)
    return sum(1 for k in range(n) if (k > 0 and hit[k - 1]) or (k < n - 1 and hit[k]))


def least_count(share: float, n: int) -> int:
    """The least whole count that can reach ``share * n`` (never above the exact bound)."""
    return max(0, math.ceil(share * n - 1e-9))
