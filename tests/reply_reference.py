"""Frozen copy of reply inference as it was before the scale work (commit bf3ba7a).

Why: the indexed implementation in analysis/replies/inference.py must give the same
reply_to / reply_method / reply_confidence as this quadratic one. This module is the
old ``text_match`` and ``inference`` code verbatim (imports aside); do not "fix" it.
It is also the baseline of benchmarks/bench_replies.py. Only ``ReplyConfig`` is shared
with the live code: the reference reads its attributes.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import polars as pl
from readerscope.analysis.embeddings import EmbeddingConfig, embed
from readerscope.analysis.replies.inference import ReplyConfig
from readerscope.analysis.text.stop_words import ENGLISH_STOP_WORDS
from readerscope.comments.schema import ARTICLE

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
    quote: Sequence[str], source: Sequence[str], min_block: int = 2, min_token: float = 0.5
) -> tuple[float, bool]:
    """Share of ``quote`` tokens found in ``source`` in runs of >= ``min_block`` tokens.

    Returns (coverage, contiguous): ``contiguous`` is True when the whole quote occurs
    in ``source`` as one run (an exact quote up to case, punctuation and quote marks).
    A real quote sits in one place: runs spread over more than 1.5x the quote's length
    count only the longest. When token coverage is at least ``min_token``, typos inside
    words ("citty", "protectd") may be what breaks the runs: the coverage is then the
    larger of the token coverage and :func:`char_coverage` on that stretch of ``source``.
    """
    if not quote or not source:
        return 0.0, False
    matcher = SequenceMatcher(None, quote, source, autojunk=False)
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
        cov = max(cov, char_coverage(quote, source[start:end]))
    return cov, False


def char_coverage(quote: Sequence[str], source: Sequence[str], min_chars: int = 4) -> float:
    """Share of the quote's characters found in ``source`` in runs of >= ``min_chars``."""
    q, s = " ".join(quote), " ".join(source)
    if not q or not s:
        return 0.0
    blocks = SequenceMatcher(None, q, s, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= min_chars) / len(q)


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


METHODS: dict[str, tuple[float, str]] = {
    "given": (1.0, "reply_to present in the input; its own confidence is kept when given"),
    "quote_header": (0.95, "quote header; quoted text matched to the earlier comment"),
    "quote_exact": (0.95, "verbatim quote of an earlier comment"),
    "quote_near": (0.85, "near-verbatim quote (x coverage); typos or changed words"),
    "quote_article": (0.9, "quote of the article or headline (x coverage)"),
    "mention": (0.85, "@name (0.85) or an opening 'Name,' address (0.7)"),
    "quote_fragment": (0.7, "short quoted phrase found in exactly one earlier source"),
    "echo_question": (0.6, "paragraph-opening question echoing one earlier source"),
    "marker_overlap": (0.45, "answer marker resolved by overlap; 0.45-0.7 by margin"),
    "marker_adjacent": (0.5, "answer marker with no content: the preceding comment"),
    "headline_echo": (0.5, "opening sentence takes up a headline-only word or 3-word phrase"),
}
"""method -> (base confidence, meaning). Written into docs/replies.md."""

# Markers that answer on their own ("I don't think so!", "True, ..."): with too few own
# words to compare, they go to the preceding comment.
_STRONG_OPENERS = (
    r"(?:i\s+)?(?:totally\s+|fully\s+|completely\s+|strongly\s+)?(?:agree|disagree)\b"
    r"|agreed\b|well said\b|so true\b|not true\b|i doubt it\b"
    r"|i don'?t think so\b|i beg to differ\b|nonsense\b|rubbish\b|really\s*\?"
    r"|(?:true|exactly|wrong)\s*[,.!;:]"
)
# Weaker openers ("No, thanks." may answer the article): resolved only by overlap.
_WEAK_OPENERS = (
    r"not really\b|not quite\b"
    r"|(?:indeed|correct|right|nope|yep|yes|no|absolutely|precisely)\s*[,.!;:]"
    r"|sorry,?\s+but\b|that'?s\s+(?:not\s+true|not\s+right|right|true|wrong|rich)\b"
)
_STRONG_OPENING = re.compile(rf"^\W*(?:{_STRONG_OPENERS})", re.IGNORECASE)
_OPENING_MARKERS = re.compile(rf"^\W*(?:{_STRONG_OPENERS}|{_WEAK_OPENERS})", re.IGNORECASE)
_ANYWHERE_MARKERS = re.compile(
    r"\b(?:agree with you|disagree with you"
    r"|you(?:'re| are) (?:right|wrong|correct|mistaken|confusing)"
    r"|your (?:claim|comment|point|argument|post|logic|statement|premise)"
    r"|you (?:said|say|claim|wrote|forgot|should also|seem to think)"
    r"|as you (?:say|said|point out)|on the contrary"
    r")\b",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass
class _Comment:
    cid: str
    user: str | None
    text: str
    quoted_text: str | None
    quoted_user: str | None
    given: tuple[str, str | None, float | None] | None
    own: str = ""
    own_tokens: list[str] = field(default_factory=list)
    own_content: list[str] = field(default_factory=list)
    own_pairs: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class _Source:
    """Something a comment can quote: an earlier comment (index) or the article (-1)."""

    index: int
    toks: list[str]


Decision = tuple[str | None, str | None, float | None]


def _other_user(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a != b


def _framing_words(title: str, article: str) -> set[str]:
    """Headline content words that frame rather than name the story.

    Names (words the article always capitalises mid-sentence, and "usa") and topic words
    (used more than once in the body, e.g. "tariffs") are left out: echoing them is just
    talking about the story; echoing "delicate" or "tightrope" takes up the headline.
    """
    capitalised: dict[str, bool] = {}
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Za-z][a-z]+)\b", article, flags=re.MULTILINE):
        word = m.group(1)
        low = stem(word.lower())
        capitalised[low] = capitalised.get(low, True) and word[0].isupper()
    counts = Counter(content_tokens(article))
    return {
        w
        for w in content_tokens(title)
        if w != "usa" and not capitalised.get(w, False) and counts[w] <= 1
    }


class _Thread:
    """Reply inference over one thread, comments in page order."""

    def __init__(
        self,
        comments: list[_Comment],
        article: str | None,
        title: str | None,
        cfg: ReplyConfig,
        embedding: EmbeddingConfig | None = None,
    ) -> None:
        self.c = comments
        self.cfg = cfg
        self.embedding = embedding or EmbeddingConfig()
        self.title = title or ""
        self.article_src = _Source(-1, tokens(f"{title or ''}\n{article or ''}"))
        self.body_content = content_tokens(article or "")
        self.title_content = content_tokens(self.title)
        self._emb: np.ndarray | None = None
        self.framing_words = _framing_words(self.title, article or "")
        # Inverted index over earlier comments' own words: token -> comment indices.
        self.postings: dict[str, list[int]] = {}
        self.token_sets: list[set[str]] = []
        self.article_set = set(self.article_src.toks)
        self.article_pairs = bigrams(self.title_content) | bigrams(self.body_content)

    # -- quotes ---------------------------------------------------------------------
    def _sources(self, i: int, quote: Sequence[str] | None = None) -> list[_Source]:
        """Earlier comments by someone else, then the article; with ``quote``, only those
        holding at least half of its distinct content words (found via the index)."""
        me = self.c[i].user
        if quote is None:
            idx: Sequence[int] = range(i)
        else:
            words = {t for t in quote if t not in STOP_WORDS} or set(quote)
            counts: Counter[int] = Counter()
            for t in words:
                counts.update(self.postings.get(t, ()))
            idx = sorted(j for j, n in counts.items() if n >= 0.5 * len(words))
        out = [_Source(j, self.c[j].own_tokens) for j in idx if _other_user(me, self.c[j].user)]
        if self.article_src.toks:
            out.append(self.article_src)
        return out

    def _best_source(self, quote: list[str], sources: list[_Source]) -> tuple[int, float, bool]:
        """(source index, coverage, contiguous) of the best match; index -2 if none.

        Near-ties (within 0.02) go to the article (the original text), else to the latest
        comment (the nearest copy a reader would answer).
        """
        qset = set(quote)
        scored = []
        for src in sources:
            toks = self.article_set if src.index == -1 else self.token_sets[src.index]
            if len(qset & toks) < 0.5 * len(qset):
                continue
            cov, contiguous = coverage(
                quote, src.toks, self.cfg.min_block, self.cfg.min_token_coverage
            )
            if cov > 0:
                scored.append((cov, src.index, contiguous))
        if not scored:
            return -2, 0.0, False
        top = max(s[0] for s in scored)
        near = [s for s in scored if s[0] >= top - 0.02]
        cov, index, contiguous = max(near, key=lambda s: (s[1] == -1, s[1]))
        return index, cov, contiguous

    def find_quotes(self, i: int) -> Decision:
        """Detect quotes in comment ``i`` and set its own words (text minus quotes)."""
        cm = self.c[i]
        cfg = self.cfg
        found: list[tuple[float, int, float, bool, str]] = []
        for seg in candidate_segments(cm.text):
            toks = tokens(seg.text)
            need = cfg.min_quote_tokens if seg.marked else cfg.min_unmarked_quote_tokens
            if len(toks) < need:
                continue
            index, cov, contiguous = self._best_source(toks, self._sources(i, toks))
            if index == -2 or cov < (cfg.near_coverage if seg.marked else cfg.unmarked_coverage):
                continue
            if not contiguous and len(toks) < cfg.min_near_tokens:
                continue  # a short quote must be verbatim: two common pairs are not a quote
            found.append((len(toks) * cov, index, cov, contiguous, seg.text))
        # A line is a quote only as far as its best part: drop a match whose sub-span
        # (a sentence or quoted span inside it) matches at least as well.
        found = [
            f
            for f in found
            if not any(g[4] != f[4] and g[4] in f[4] and g[2] >= f[2] for g in found)
        ]
        own = cm.text
        for *_, seg_text in sorted(found, key=lambda f: -len(f[4])):
            own = own.replace(seg_text, " ")
        own = "\n".join(
            line.strip(" \t\"“”„«»'") for line in own.split("\n") if line.strip(" \t\"“”„«»'")
        )
        cm.own = own
        cm.own_tokens = tokens(own)
        cm.own_content = content_tokens(own)
        cm.own_pairs = bigrams(cm.own_content)
        self.token_sets.append(set(cm.own_tokens))
        for t in self.token_sets[-1]:
            self.postings.setdefault(t, []).append(i)
        if not found:
            return None, None, None
        # The longest matched quote decides; on a tie an exact one, then a comment over the article.
        _, index, cov, contiguous, _ = max(
            found, key=lambda f: (round(f[0], 6), f[3], f[1] != -1, f[1])
        )
        if index == -1:
            return ARTICLE, "quote_article", round(METHODS["quote_article"][0] * cov, 3)
        if contiguous:
            return self.c[index].cid, "quote_exact", METHODS["quote_exact"][0]
        return self.c[index].cid, "quote_near", round(METHODS["quote_near"][0] * cov, 3)

    def quote_header(self, i: int) -> Decision:
        """Match a parsed quote header's text to the comment it came from.

        Candidates are the earlier comments of the header's user; when the page shows no
        commenter names (reader view), all earlier comments. A nested quote holds the
        quoted comment's own words *last* (the parser keeps innermost first), so a
        candidate scores the best of: the last quoted paragraph found in it, the whole
        quote found in it, or it found in the quote. Ties go to the latest comment.
        """
        cm = self.c[i]
        if not cm.quoted_text and not cm.quoted_user:
            return None, None, None
        by_user = [j for j in range(i) if cm.quoted_user and self.c[j].user == cm.quoted_user]
        earlier = by_user or list(range(i))
        quote = tokens(cm.quoted_text or "")
        paragraphs = [p for p in (cm.quoted_text or "").split("\n") if tokens(p)]
        last = tokens(paragraphs[-1]) if paragraphs else []
        best_j, best_cov = None, 0.0
        for j in earlier:
            own = self.c[j].own_tokens
            cov = max(
                coverage(last, own, self.cfg.min_block)[0],
                coverage(quote, own, self.cfg.min_block)[0],
                coverage(own, quote, self.cfg.min_block)[0] if len(own) >= 3 else 0.0,
            )
            if cov > 0 and cov >= best_cov - 1e-9:
                best_j, best_cov = j, cov
        base = METHODS["quote_header"][0]
        if best_j is not None and best_cov >= 0.6:
            return self.c[best_j].cid, "quote_header", round(base * min(1.0, best_cov + 0.05), 3)
        if quote and self.article_src.toks:
            cov, _ = coverage(quote, self.article_src.toks, self.cfg.min_block)
            if cov >= self.cfg.near_coverage:
                return ARTICLE, "quote_header", round(base * cov, 3)
        if by_user:
            # The header names the user but the quote does not match: their latest comment.
            return self.c[by_user[-1]].cid, "quote_header", 0.7
        return None, None, None

    # -- mentions, fragments, echo-questions ---------------------------------------------
    def mention(self, i: int) -> Decision:
        cm = self.c[i]
        latest: dict[str, int] = {}
        for j in range(i):
            u = self.c[j].user
            if u and _other_user(cm.user, u):
                latest[u] = j
        text = cm.own or cm.text
        low = text.lower()
        best: tuple[int, int, float] | None = None  # (name length, j, confidence)
        for u, j in latest.items():
            ul = u.lower()
            at = re.search(rf"@\s?{re.escape(ul)}(?!\w)", low)
            # "Name," only for names that are not also ordinary openers ("Well,", "True,").
            addressable = (
                len(u) >= 2 and ul not in STOP_WORDS and not _OPENING_MARKERS.match(u + ",")
            )
            opening = addressable and re.match(rf"^\W*{re.escape(u)}\s*[,:]", text)
            conf = 0.85 if at else 0.7 if opening else None
            if conf is not None and (best is None or (len(u), conf) > (best[0], best[2])):
                best = (len(u), j, conf)
        if best is None:
            return None, None, None
        return self.c[best[1]].cid, "mention", best[2]

    def _unique_source(self, i: int, has, quote: Sequence[str] | None = None) -> int | None:
        """Index of the one earlier source for which ``has(source)`` holds (-1 = article)."""
        hits = [s.index for s in self._sources(i, quote) if has(s)]
        return hits[0] if len(hits) == 1 else None

    def fragment(self, i: int) -> Decision:
        cfg = self.cfg
        for seg in candidate_segments(self.c[i].text):
            toks = tokens(seg.text)
            if not seg.marked or not cfg.min_fragment_tokens <= len(toks) < cfg.min_quote_tokens:
                continue
            hit = self._unique_source(i, lambda s, q=toks: contains_run(q, s.toks), toks)
            if hit is not None:
                return self._target(hit), "quote_fragment", METHODS["quote_fragment"][0]
        return None, None, None

    def echo_question(self, i: int) -> Decision:
        for question in paragraph_questions(self.c[i].own, self.cfg.echo_max_tokens):
            pairs = bigrams(content_tokens(question))
            if not pairs:
                continue

            def has(s: _Source, pairs=pairs) -> bool:
                if s.index == -1:
                    return bool(pairs & self.article_pairs)
                return bool(pairs & self.c[s.index].own_pairs)

            hit = self._unique_source(i, has)
            if hit is not None:
                return self._target(hit), "echo_question", METHODS["echo_question"][0]
        return None, None, None

    def headline_echo(self, i: int) -> Decision:
        """A headline-only word, or a three-word headline phrase, opens the comment."""
        if not self.title_content:
            return None, None, None
        body = set(self.body_content)
        only_words = {w for w in self.title_content if w not in body} if body else set()
        title_raw = tokens(self.title)
        body_raw = self.article_src.toks[len(title_raw) :]
        body_tri = set(zip(body_raw, body_raw[1:], body_raw[2:], strict=False))
        # A phrase echoes the framing only if it holds a word that is not a name: "US and
        # China" names the topic, "threatened by Trump" takes up the headline's framing.
        only_tri = {
            tri
            for tri in zip(title_raw, title_raw[1:], title_raw[2:], strict=False)
            if tri not in body_tri and any(w in self.framing_words for w in tri)
        }
        sentence = first_sentence(self.c[i].own)
        opening = content_tokens(sentence)
        raw = tokens(sentence)
        joined = {a + b for a, b in bigrams(opening)}  # "Tight Rope" -> "tightrope"
        if (set(opening) | joined) & only_words or set(
            zip(raw, raw[1:], raw[2:], strict=False)
        ) & only_tri:
            return ARTICLE, "headline_echo", METHODS["headline_echo"][0]
        return None, None, None

    # -- markers --------------------------------------------------------------------
    def has_marker(self, i: int) -> bool:
        own = self.c[i].own
        return bool(_OPENING_MARKERS.search(own) or _ANYWHERE_MARKERS.search(own))

    def _embeddings(self) -> np.ndarray:
        if self._emb is None:
            texts = [c.own or c.text or "" for c in self.c]
            self._emb = embed(texts, self.embedding)
        return self._emb

    def marker(self, i: int) -> Decision:
        cfg = self.cfg
        cm = self.c[i]
        cands = [
            j
            for j in range(max(0, i - cfg.marker_window), i)
            if _other_user(cm.user, self.c[j].user)
        ]
        if not cands:
            return None, None, None
        # Resolve on the paragraph the marker opens or sits in: the answering move. A
        # pasted headline or link in another paragraph is evidence, not the addressee.
        paragraphs = cm.own.split("\n")
        if _OPENING_MARKERS.search(cm.own):
            paragraph = paragraphs[0]
        else:
            paragraph = next((p for p in paragraphs if _ANYWHERE_MARKERS.search(p)), cm.own)
        # The marker's own words ("True,", "I agree with you") say nothing about whom.
        paragraph_raw = paragraph
        paragraph = _ANYWHERE_MARKERS.sub(" ", _OPENING_MARKERS.sub(" ", paragraph))
        content = set(content_tokens(_URL.sub(" ", paragraph)))
        if len(content) < cfg.marker_min_content:
            if not (
                _STRONG_OPENING.search(paragraph_raw) or _ANYWHERE_MARKERS.search(paragraph_raw)
            ):
                return None, None, None  # a weak opener with nothing to compare
            return self.c[cands[-1]].cid, "marker_adjacent", METHODS["marker_adjacent"][0]
        emb = self._embeddings() if cfg.use_embeddings else None
        scores = []
        for j in cands:
            other = set(self.c[j].own_content)
            lex = len(content & other) / math.sqrt(len(content) * len(other)) if other else 0.0
            # Without embeddings the lexical term takes their weight too, so the recency
            # prior keeps the same relative pull.
            lex_weight = cfg.lexical_weight + (0.0 if emb is not None else cfg.embedding_weight)
            score = lex_weight * lex
            if emb is not None:
                score += cfg.embedding_weight * float(emb[i] @ emb[j])
            score += cfg.recency_weight * 0.5 ** (i - j - 1)
            scores.append((round(score, 6), j))
        scores.sort(key=lambda s: (-s[0], -s[1]))
        best, j = scores[0]
        margin = best - scores[1][0] if len(scores) > 1 else 0.1
        if margin < cfg.marker_min_margin:
            return None, None, None  # two comments fit about equally: abstain
        conf = METHODS["marker_overlap"][0] + 0.25 * min(1.0, margin / 0.1)
        return self.c[j].cid, "marker_overlap", round(conf, 3)

    def _target(self, index: int) -> str:
        return ARTICLE if index == -1 else self.c[index].cid

    # -- driver ---------------------------------------------------------------------
    def _decide(self, i: int, quoted: Decision) -> Decision:
        """The first rule that fires, strongest cue first (see the module docstring)."""
        cfg = self.cfg
        if (d := self.quote_header(i))[0] is not None or quoted[0] is not None:
            return d if d[0] is not None else quoted
        for rule, on in (
            (self.mention, True),
            (self.fragment, True),
            (self.echo_question, cfg.use_echo_questions),
            (self.marker, cfg.use_markers),
            (self.headline_echo, cfg.use_headline_echo),
        ):
            if on and (rule != self.marker or self.has_marker(i)):
                d = rule(i)
                if d[0] is not None:
                    return d
        return None, None, None

    def infer(self) -> list[Decision]:
        out: list[Decision] = []
        for i, cm in enumerate(self.c):
            quoted = self.find_quotes(i)  # always: later comments match against own words
            out.append(cm.given if cm.given is not None else self._decide(i, quoted))
        return out


def infer_thread(
    df: pl.DataFrame,
    article: str | None = None,
    title: str | None = None,
    config: ReplyConfig | None = None,
    embedding: EmbeddingConfig | None = None,
) -> list[Decision]:
    """Decisions (reply_to, method, confidence) for one thread's rows, in ``position`` order."""
    cfg = config or ReplyConfig()
    rows = df.sort("position").iter_rows(named=True)
    comments = []
    for r in rows:
        given = None
        if cfg.keep_given and r.get("reply_to") is not None:
            conf = r.get("reply_confidence")
            given = (r["reply_to"], r.get("reply_method") or "given", 1.0 if conf is None else conf)
        comments.append(
            _Comment(
                cid=r["comment_id"],
                user=r.get("user"),
                text=r.get("text") or "",
                quoted_text=r.get("quoted_text"),
                quoted_user=r.get("quoted_user"),
                given=given,
            )
        )
    return _Thread(comments, article, title, cfg, embedding).infer()


def add_replies(
    df: pl.DataFrame,
    articles: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    config: ReplyConfig | None = None,
    embedding: EmbeddingConfig | None = None,
) -> pl.DataFrame:
    """Fill reply_to / reply_method / reply_confidence for every thread in ``df``.

    ``articles`` and ``titles`` map thread_id to the article body and headline (a quote
    of either is a reply to 'article'). Rows keep their order; reply_to values already
    present are kept (method 'given' unless the input names one).
    """
    articles = articles or {}
    titles = titles or {}
    for col in ("reply_to", "reply_method"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String()).alias(col))
    if "reply_confidence" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.Float64()).alias("reply_confidence"))
    ids: list[str] = []
    decided: list[Decision] = []
    for (tid,), part in df.group_by("thread_id", maintain_order=True):
        part = part.sort("position")
        ids.extend(part["comment_id"].to_list())
        decided.extend(infer_thread(part, articles.get(tid), titles.get(tid), config, embedding))
    result = pl.DataFrame(
        {
            "comment_id": ids,
            "reply_to": [d[0] for d in decided],
            "reply_method": [d[1] for d in decided],
            "reply_confidence": [d[2] for d in decided],
        },
        schema={
            "comment_id": pl.String(),
            "reply_to": pl.String(),
            "reply_method": pl.String(),
            "reply_confidence": pl.Float64(),
        },
    )
    cols = df.columns
    out = df.drop("reply_to", "reply_method", "reply_confidence").join(
        result, on="comment_id", how="left", maintain_order="left"
    )
    return out.select(cols)


# -- The one fix (not part of the old code) -------------------------------------------
# The old scan read comment i's own words back from the index in ``fragment``, so an
# anonymous comment (user None passes ``_other_user``) was a source of its own quoted
# fragment: a lone fragment pointed the comment at itself, and a fragment found in one
# earlier comment counted two sources and gave no edge. The indexed code excludes the
# comment itself; this is the old scan with that one change, for comparisons.


class FixedThread(_Thread):
    """The old scan, minus comment ``i`` as a source of itself."""

    def _sources(self, i: int, quote: Sequence[str] | None = None) -> list[_Source]:
        return [s for s in super()._sources(i, quote) if s.index != i]


def add_replies_fixed(
    df: pl.DataFrame,
    articles: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    config: ReplyConfig | None = None,
    embedding: EmbeddingConfig | None = None,
) -> pl.DataFrame:
    """:func:`add_replies` of the old code with :class:`FixedThread`."""
    global _Thread
    original = _Thread
    _Thread = FixedThread
    try:
        return add_replies(df, articles, titles, config, embedding)
    finally:
        _Thread = original
