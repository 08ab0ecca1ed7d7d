"""Reply targets: who answers whom, inferred from the cues a comment's text offers.

Comment pages show threads flat. This stage fills ``reply_to`` (an earlier comment's
``comment_id``, ``'article'``, or null for a top-level comment), ``reply_method`` and
``reply_confidence`` for every comment, thread by thread, in page order. A comment can
only answer an *earlier* comment. Precision is preferred over recall: every rule fires
only on an explicit cue, and a comment with no cue stays top-level (null).

Methods, in the order they are tried (the first that fires wins; see ``METHODS`` for
confidences and docs/replies.md for measured precision):

``given``            reply_to was already in the input (kept, with its method/confidence).
``quote_header``     the parser found a quote header; its quoted text is matched to the
                     earlier comment it came from (by that user when the header names one).
``quote_exact``      a quoted span, line or sentence reproduces an earlier comment verbatim
                     (up to case, punctuation and quote marks).
``quote_near``       as above with typos/omissions (token coverage >= ``near_coverage``).
``quote_article``    the quote reproduces the article or its headline (reply_to 'article').
``mention``          ``@name`` of an earlier commenter, or a comment opening "Name," / "Name:".
``quote_fragment``   a short phrase in quotation marks ("perfectly fine") found verbatim in
                     exactly one earlier source (a comment, or the article/headline).
``echo_question``    a short question opening a paragraph echoes a two-word phrase found in
                     exactly one earlier source ("Trump wants a fair trade?").
``marker_overlap``   an answering marker ("I agree with you", "True,", "You should also
                     mention") resolved to the recent comment it echoes most (content-word
                     overlap + MiniLM cosine + a small recency prior).
``marker_adjacent``  a marker with too few own words to compare ("I don't think so!"):
                     the immediately preceding comment by someone else.
``headline_echo``    the opening sentence takes up a headline-only word or phrase
                     ("Why the tightrope??") -> 'article'. Needs the headline.

Long threads: the rules look candidates up in an index of the earlier comments
(:class:`_Index`) instead of scanning them all; every pruning step is an exact bound,
so the decisions are those of the plain scan (tests/test_replies_index.py compares
them with a frozen copy of it; docs/scale.md has the figures).
"""

from __future__ import annotations

import gc
import itertools
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import polars as pl

from ...comments.schema import ARTICLE
from ..checks import check_fields
from ..context import StageContext
from ..embeddings import EmbeddingConfig, embed
from .text_match import (
    STOP_WORDS,
    Segment,
    bigrams,
    candidate_segments,
    contains_run,
    content_tokens,
    coverage,
    covered_bound,
    first_sentence,
    least_count,
    paragraph_questions,
    stem,
    tokens,
)

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
_HEADER_MIN = 0.6  # least coverage of a quote header's text in the comment it names
_LONG = 32  # postings at least this long are kept as numpy buffers for counting
_UNION_COST = 8  # cost of a posting read for a union, relative to one read for a count
_MATCHERS = 1024  # SequenceMatchers of recent quote sources kept for reuse
_MANY_CANDIDATES = 64  # more quote candidates than this are cut by a second condition
_CHEAP_PLAN = 256  # postings; a quote plan below this is taken without weighing another


@dataclass(frozen=True)
class ReplyConfig:
    """Thresholds of the reply rules (defaults favour precision over recall).

    min_quote_tokens: a span in quotation marks of at least this many tokens is tested
        as a quote; shorter ones (down to ``min_fragment_tokens``) as fragments.
    min_unmarked_quote_tokens: a line/sentence without quotation marks must be at least
        this long to count as a quote (pasted quotes often lose their marks).
    near_coverage / unmarked_coverage: least token coverage of a quote in its source.
    min_block: least run of consecutive tokens that counts towards coverage.
    min_near_tokens: quotes shorter than this must be verbatim (no near matches).
    min_token_coverage: token coverage above which character-level coverage (runs of
        >= 4 characters, forgiving typos inside words) may stand in for it.
    echo_max_tokens: longest paragraph-opening question treated as an echo-question.
    marker_window: how many earlier comments a marker may point back to.
    marker_min_content: fewer own content words than this -> ``marker_adjacent``.
    marker_min_margin: the best candidate must beat the runner-up by this much, else the
        marker is left unresolved (top-level) rather than guessed.
    lexical_weight / embedding_weight / recency_weight: the marker resolution score.
    use_embeddings: add MiniLM cosine to marker resolution (else lexical + recency only).
    use_markers / use_echo_questions / use_headline_echo: switch the weaker rules off.
    keep_given: keep reply_to values already in the input (False: infer every row anew,
        e.g. to re-run an analysed table with other settings).
    """

    min_quote_tokens: int = 4
    min_fragment_tokens: int = 2
    min_unmarked_quote_tokens: int = 8
    near_coverage: float = 0.8
    unmarked_coverage: float = 0.9
    min_block: int = 2
    min_near_tokens: int = 6
    min_token_coverage: float = 0.5
    echo_max_tokens: int = 8
    marker_window: int = 8
    marker_min_content: int = 3
    marker_min_margin: float = 0.02
    lexical_weight: float = 0.5
    embedding_weight: float = 0.5
    recency_weight: float = 0.15
    use_embeddings: bool = True
    use_markers: bool = True
    use_echo_questions: bool = True
    use_headline_echo: bool = True
    keep_given: bool = True

    def __post_init__(self) -> None:
        check_fields(self)


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


class _Postings(dict):
    """key -> ascending comment indices, as lists, plus numpy buffers for long ones.

    Why numpy: counting how many of a quote's keys each comment holds is ~40x faster
    with ``bincount`` than with a Counter. Only keys held by ``_LONG`` comments or more
    get a buffer (kept up to date on every add); short lists are converted when read.
    """

    def __init__(self) -> None:
        super().__init__()
        self._buffers: dict[Hashable, np.ndarray] = {}

    def add_all(self, keys: Iterable[Hashable], j: int) -> None:
        """Record that comment ``j`` holds every key in ``keys``."""
        get, buffers = self.get, self._buffers
        for key in keys:
            held = get(key)
            if held is None:
                self[key] = [j]
                continue
            held.append(j)
            n = len(held)
            # Only lists that were _LONG when counted have a buffer: skip the look-up below.
            buf = buffers.get(key) if n > _LONG else None
            if buf is not None:
                if n > len(buf):
                    buf = np.concatenate((buf, np.empty(len(buf), dtype=buf.dtype)))
                    buffers[key] = buf
                buf[n - 1] = j

    def stacked(self, keys: Sequence[Hashable], weights: Mapping[Hashable, int]) -> np.ndarray:
        """All postings of ``keys`` in one array, each repeated by its weight."""
        parts: list[np.ndarray] = []
        short: list[int] = []
        for key in keys:
            held = self[key]
            if len(held) < _LONG:
                short.extend(held * weights[key])
                continue
            buf = self._buffers.get(key)
            if buf is None:
                buf = np.empty(2 * len(held), dtype=np.int64)
                buf[: len(held)] = held
                self._buffers[key] = buf
            parts.extend([buf[: len(held)]] * weights[key])
        if short:
            parts.append(np.array(short, dtype=np.int64))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


class _Ints:
    """A growable int64 array: per-comment numbers that numpy reads in one go."""

    def __init__(self) -> None:
        self._buf = np.zeros(1024, dtype=np.int64)
        self._n = 0

    def append(self, value: int) -> None:
        if self._n == len(self._buf):
            self._buf = np.concatenate((self._buf, np.zeros(len(self._buf), dtype=np.int64)))
        self._buf[self._n] = value
        self._n += 1

    def view(self) -> np.ndarray:
        return self._buf[: self._n]


class _Index:
    """What the rules look up in the earlier comments of a thread, built as they arrive.

    Why: comparing every comment with every earlier one is quadratic (a 2,000-comment
    thread took minutes). Each comment is added once, after its own rules ran, so every
    look-up sees exactly the comments before it. Postings lists hold comment indices in
    ascending order.
    """

    def __init__(self) -> None:
        self.tokens: list[set[str]] = []  # own tokens of comment j
        self.pairs: list[set[tuple[str, str]]] = []  # own token bigrams of comment j
        self.token_postings = _Postings()
        self.pair_postings = _Postings()
        self.content_pair_postings = _Postings()
        self.own_len = _Ints()  # own tokens of comment j
        self.max_repeat = _Ints()  # most times one bigram recurs in comment j's own tokens
        self.by_user: dict[str, list[int]] = {}
        self.first_seen: dict[str, int] = {}
        self.lower_names: dict[str, list[str]] = {}  # lower-cased name -> users
        self.names: set[str] = set()
        self.lower_lengths: set[int] = set()
        self.lengths: set[int] = set()

    def add(self, j: int, cm: _Comment) -> None:
        toks = set(cm.own_tokens)
        pairs = bigrams(cm.own_tokens)
        self.tokens.append(toks)
        self.pairs.append(pairs)
        self.own_len.append(len(cm.own_tokens))
        repeats = Counter(itertools.pairwise(cm.own_tokens))
        self.max_repeat.append(max(repeats.values(), default=1))
        self.token_postings.add_all(toks, j)
        self.pair_postings.add_all(pairs, j)
        self.content_pair_postings.add_all(cm.own_pairs, j)
        if not cm.user:
            return  # anonymous: no name to mention, no header to match by user
        self.by_user.setdefault(cm.user, []).append(j)
        if cm.user not in self.first_seen:
            self.first_seen[cm.user] = j
            low = cm.user.lower()
            self.lower_names.setdefault(low, []).append(cm.user)
            self.names.add(cm.user)
            self.lower_lengths.add(len(low))
            self.lengths.add(len(cm.user))

    @staticmethod
    def holders(keys: Sequence[Hashable], postings: _Postings) -> set[int]:
        """Comments holding at least one of ``keys``."""
        return set().union(*(postings.get(k, ()) for k in keys))

    def plan(
        self, weights: Mapping[Hashable, int], postings: _Postings, need: int
    ) -> tuple[int, list[Hashable], int]:
        """(postings to read, keys to read, least count) to find comments holding
        ``need`` of the total key weight: prefix filtering, exact.

        Keys are read rarest first; once the keys read outweigh the rest by more than
        ``total - need``, a comment holding none of them cannot reach ``need``. Rarer keys
        keep being read (up to ``common`` holders: the commonest pairs are left out), so a
        comment must hold ``least = need - unread weight`` of the keys read.
        """
        need = max(1, need)
        total = sum(weights.values())
        common = max(64, len(self.tokens) // 32)
        keyed = sorted((len(postings.get(k, ())), k) for k in weights)
        taken: list[Hashable] = []
        acc = cost = 0
        for df, key in keyed:
            if acc > total - need and df > common:
                break
            acc += weights[key]
            if df:
                taken.append(key)
                cost += df * weights[key]
        return cost, taken, need - (total - acc)

    def holding(
        self, planned: tuple[int, list[Hashable], int], weights: Mapping, postings: _Postings
    ) -> list[int]:
        """The comments a :meth:`plan` leaves (ascending)."""
        _, keys, least = planned
        if least <= 1 or not keys:
            return sorted(self.holders(keys, postings))
        counts = np.bincount(postings.stacked(keys, weights))
        return np.flatnonzero(counts >= least).tolist()


class _Thread:
    """Reply inference over one thread, comments in page order."""

    def __init__(
        self,
        comments: list[_Comment],
        article: str | None,
        title: str | None,
        cfg: ReplyConfig,
        embedding: EmbeddingConfig,
    ) -> None:
        self.c = comments
        self.cfg = cfg
        self.embedding = embedding
        self.title = title or ""
        self.article_src = _Source(-1, tokens(f"{title or ''}\n{article or ''}"))
        self.body_content = content_tokens(article or "")
        self.title_content = content_tokens(self.title)
        self._emb: np.ndarray | None = None
        self.framing_words = _framing_words(self.title, article or "")
        self.index = _Index()
        self.article_set = set(self.article_src.toks)
        self.article_token_pairs = bigrams(self.article_src.toks)
        self.article_pairs = bigrams(self.title_content) | bigrams(self.body_content)
        self._article_matcher: SequenceMatcher | None = None
        self._matchers: dict[int, SequenceMatcher] = {}  # insertion order = LRU order
        self._segments: tuple[int, list[tuple[Segment, list[str]]]] = (-1, [])
        self._headline: tuple[set[str], set[tuple[str, str, str]]] | None = None
        self._patterns: dict[tuple[str, str], re.Pattern[str]] = {}
        self._addressable: dict[str, bool] = {}
        # Quote pruning is exact for runs of >= 1 token; min_block <= 0 scans everything.
        self.pruning = cfg.min_block >= 1

    def _article_coverage(
        self, quote: list[str], floor: float, min_token: float = 0.5
    ) -> tuple[float, bool]:
        """:func:`coverage` of ``quote`` in the article, its SequenceMatcher built once."""
        if self._article_matcher is None:
            self._article_matcher = SequenceMatcher(None, [], self.article_src.toks, False)
        return coverage(
            quote,
            self.article_src.toks,
            self.cfg.min_block,
            min_token,
            self._article_matcher,
            floor,
        )

    def _matcher(self, j: int) -> SequenceMatcher:
        """A SequenceMatcher on comment ``j``'s own tokens, reused across quotes (LRU).

        Why: the lines and sentences of one comment, and later quotes of the same
        comment, test the same sources; indexing a source once saves a third of the time.
        """
        cache = self._matchers
        matcher = cache.pop(j, None)
        if matcher is None:
            matcher = SequenceMatcher(None, [], self.c[j].own_tokens, False)
            if len(cache) >= _MATCHERS:
                del cache[next(iter(cache))]
        cache[j] = matcher
        return matcher

    # -- quotes ---------------------------------------------------------------------
    def _quote_candidates(
        self,
        i: int,
        quote: list[str],
        need: int,
        words: set[str],
        pairs: Counter[tuple[str, str]],
    ) -> list[int]:
        """Earlier comments that may cover ``need`` tokens of ``quote`` (ascending; exact).

        Two necessary conditions can be read from postings: half of the quote's distinct
        content words (the old filter) and, with runs of >= 2 tokens, ``ceil(need / 2)``
        of its bigram positions (``need`` of its token positions with runs of 1). The one
        with fewer postings to read gives the candidates; :meth:`_best_source` checks
        the rest.
        """
        ix = self.index
        if not self.pruning:
            return list(range(i))
        if min(self.cfg.min_block, len(quote)) >= 2:
            first = (pairs, ix.pair_postings, least_count(0.5, need))
        else:
            first = (Counter(quote), ix.token_postings, need)
        by_words = dict.fromkeys(words, 1)
        second = (by_words, ix.token_postings, least_count(0.5, len(words)))

        # A plan that must take every holder of a key (least 1) leaves many candidates,
        # each checked in Python: weigh its postings as dearer than counted ones.
        def cost(planned: tuple[int, list[Hashable], int]) -> int:
            return planned[0] * (1 if planned[2] >= 2 else _UNION_COST)

        plans = [(ix.plan(*first), first[0], first[1])]
        if cost(plans[0][0]) > _CHEAP_PLAN:  # a cheap plan is good enough: skip the other
            plans.append((ix.plan(*second), second[0], second[1]))
            plans.sort(key=lambda p: cost(p[0]))
        cands = ix.holding(*plans[0])
        if len(cands) > _MANY_CANDIDATES:
            # Both conditions must hold: cut the candidates with the other one too.
            if len(plans) == 1:
                plans.append((ix.plan(*second), second[0], second[1]))
            keep = set(ix.holding(*plans[1]))
            cands = [j for j in cands if j in keep]
        return cands

    def _best_source(self, i: int, quote: list[str], min_cov: float) -> tuple[int, float, bool]:
        """(source index, coverage, contiguous) of the best match; index -2 if none.

        Near-ties (within 0.02) go to the article (the original text), else to the latest
        comment (the nearest copy a reader would answer). Only sources that could reach
        ``min_cov`` (the caller's threshold less the 0.02 tie band) are scored: the others
        can neither win nor join a near-tie of a match that passes.
        """
        cfg = self.cfg
        me = self.c[i].user
        qset = set(quote)
        words = {t for t in quote if t not in STOP_WORDS} or qset
        quote_pairs = list(itertools.pairwise(quote))
        need = max(1, least_count(min(min_cov, cfg.min_token_coverage), len(quote)))
        # Runs of >= 2 tokens: ``need`` covered tokens sit on ceil(need / 2) bigram positions,
        # so on at least that many distinct bigrams over the most any one repeats.
        pair_counts = Counter(quote_pairs)
        pair_set = set(pair_counts)
        repeat = max(pair_counts.values(), default=1)
        least_pairs = (
            -(-least_count(0.5, need) // repeat) if min(cfg.min_block, len(quote)) >= 2 else 0
        )
        ix = self.index
        scored = []
        for j in self._quote_candidates(i, quote, need, words, pair_counts):
            toks = ix.tokens[j]
            if (
                len(pair_set & ix.pairs[j]) < least_pairs
                or not _other_user(me, self.c[j].user)
                or len(words & toks) < 0.5 * len(words)
                or len(qset & toks) < 0.5 * len(qset)
                or covered_bound(quote, quote_pairs, toks, ix.pairs[j], cfg.min_block) < need
            ):
                continue
            cov, contiguous = coverage(
                quote,
                self.c[j].own_tokens,
                cfg.min_block,
                cfg.min_token_coverage,
                self._matcher(j),
                min_cov,
            )
            if cov > 0:
                scored.append((cov, j, contiguous))
        if (
            self.article_src.toks
            and len(qset & self.article_set) >= 0.5 * len(qset)
            and len(pair_set & self.article_token_pairs) >= least_pairs
            and covered_bound(
                quote, quote_pairs, self.article_set, self.article_token_pairs, cfg.min_block
            )
            >= need
        ):
            cov, contiguous = self._article_coverage(quote, min_cov, cfg.min_token_coverage)
            if cov > 0:
                scored.append((cov, -1, contiguous))
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
        self._segments = (i, [(seg, tokens(seg.text)) for seg in candidate_segments(cm.text)])
        for seg, toks in self._segments[1]:
            need = cfg.min_quote_tokens if seg.marked else cfg.min_unmarked_quote_tokens
            if len(toks) < need:
                continue
            threshold = cfg.near_coverage if seg.marked else cfg.unmarked_coverage
            index, cov, contiguous = self._best_source(i, toks, threshold - 0.02 - 1e-9)
            if index == -2 or cov < threshold:
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
        cm.own_content = [
            stem(t) for t in cm.own_tokens if t not in STOP_WORDS and not t.isdigit()
        ]  # = content_tokens(own)
        cm.own_pairs = bigrams(cm.own_content)
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

    def _header_candidates(
        self, i: int, by_user: list[int], quote: list[str], last: list[str]
    ) -> list[int]:
        """Earlier comments that can reach a header coverage of 0.6 (ascending).

        Any positive coverage needs a shared run, so without a named user only comments
        sharing a bigram (a token, for runs of 1) with the quote are read; a comment whose
        covered-token bound is below half of the shorter side cannot reach 0.6.
        """
        ix = self.index
        mb = self.cfg.min_block
        if by_user:
            cands: Sequence[int] = by_user
        elif not self.pruning:
            cands = range(i)
        elif mb >= 2 and len(quote) >= 2 and len(last) >= 2:
            cands = self._header_counted(i, quote, last)
        else:
            # Runs of >= 2 tokens share a bigram; a one-token side (or runs of 1) a token.
            pairs = [p for x in (quote, last) if mb >= 2 for p in itertools.pairwise(x)]
            singles = [t for x in (quote, last) if mb < 2 or len(x) == 1 for t in x]
            cands = sorted(
                ix.holders(pairs, ix.pair_postings) | ix.holders(singles, ix.token_postings)
            )
        qset, qpairs = set(quote), bigrams(quote)
        quote_pairs, last_pairs = list(itertools.pairwise(quote)), list(itertools.pairwise(last))
        out = []
        for j in cands:
            own = self.c[j].own_tokens
            toks, pairs = ix.tokens[j], ix.pairs[j]
            if (
                (last and covered_bound(last, last_pairs, toks, pairs, mb) >= 0.5 * len(last))
                or (
                    quote and covered_bound(quote, quote_pairs, toks, pairs, mb) >= 0.5 * len(quote)
                )
                or (
                    len(own) >= 3
                    and covered_bound(own, list(itertools.pairwise(own)), qset, qpairs, mb)
                    >= 0.5 * len(own)
                )
            ):
                out.append(j)
        return out

    def _header_counted(self, i: int, quote: list[str], last: list[str]) -> list[int]:
        """Comments that may hold half of ``last`` or ``quote``, or lie half inside ``quote``.

        With runs of >= 2 tokens, covering half of a side's tokens takes a quarter of its
        bigram positions: counted for every earlier comment at once from the postings
        (numpy), so a reader-view header costs its postings, not the thread length.
        """
        ix = self.index
        ones: Counter[tuple[str, str]] = Counter()
        mask = np.zeros(i, dtype=bool)
        for side in (last, quote):
            weights = Counter(itertools.pairwise(side))
            keys = [k for k in weights if k in ix.pair_postings]
            if not keys:
                continue
            held = np.bincount(ix.pair_postings.stacked(keys, weights), minlength=i)
            mask |= held >= least_count(0.5, least_count(0.5, len(side)))
            ones = Counter(dict.fromkeys(keys, 1))
        if ones:
            # A comment inside the quote: its own bigram positions in the quote's bigrams,
            # at most (distinct shared bigrams) x (most repeats of one bigram in it).
            shared = np.bincount(ix.pair_postings.stacked(list(ones), ones), minlength=i)
            size = ix.own_len.view()
            mask |= (size >= 3) & (shared * ix.max_repeat.view() >= ((size + 1) // 2 + 1) // 2)
        return np.flatnonzero(mask).tolist()

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
        by_user = list(self.index.by_user.get(cm.quoted_user, ())) if cm.quoted_user else []
        quote = tokens(cm.quoted_text or "")
        paragraphs = [p for p in (cm.quoted_text or "").split("\n") if tokens(p)]
        last = tokens(paragraphs[-1]) if paragraphs else []
        best_j, best_cov = None, 0.0
        mb = self.cfg.min_block
        floor = _HEADER_MIN - 1e-8  # below it a candidate cannot change the outcome
        for j in self._header_candidates(i, by_user, quote, last):
            own = self.c[j].own_tokens
            cov = max(
                coverage(last, own, mb, floor=floor)[0],
                coverage(quote, own, mb, floor=floor)[0],
                coverage(own, quote, mb, floor=floor)[0] if len(own) >= 3 else 0.0,
            )
            if cov > 0 and cov >= best_cov - 1e-9:
                best_j, best_cov = j, cov
        base = METHODS["quote_header"][0]
        if best_j is not None and best_cov >= _HEADER_MIN:
            return self.c[best_j].cid, "quote_header", round(base * min(1.0, best_cov + 0.05), 3)
        if quote and self.article_src.toks:
            cov, _ = self._article_coverage(quote, self.cfg.near_coverage)
            if cov >= self.cfg.near_coverage:
                return ARTICLE, "quote_header", round(base * cov, 3)
        if by_user:
            # The header names the user but the quote does not match: their latest comment.
            return self.c[by_user[-1]].cid, "quote_header", 0.7
        return None, None, None

    # -- mentions, fragments, echo-questions ---------------------------------------------
    def _pattern(self, kind: str, name: str) -> re.Pattern[str]:
        """The mention pattern of one user name, compiled once per thread."""
        key = (kind, name)
        if key not in self._patterns:
            if kind == "at":
                pattern = rf"@\s?{re.escape(name.lower())}(?!\w)"
            else:
                pattern = rf"^\W*{re.escape(name)}\s*[,:]"
            self._patterns[key] = re.compile(pattern)
        return self._patterns[key]

    def _is_addressable(self, u: str) -> bool:
        """ "Name," is an address only for names that are not ordinary openers ("Well,")."""
        if u not in self._addressable:
            self._addressable[u] = (
                len(u) >= 2 and u.lower() not in STOP_WORDS and not _OPENING_MARKERS.match(u + ",")
            )
        return self._addressable[u]

    def _mentioned(self, text: str) -> dict[str, float]:
        """Earlier users named by ``@name`` (0.85) or an opening "Name," (0.7) in ``text``.

        Only names that start right after an ``@`` (or at the opening) are looked up, by
        length, then confirmed with the user's own pattern: cost grows with the text,
        not with the number of users.
        """
        ix = self.index
        low = text.lower()
        found: dict[str, float] = {}
        for m in re.finditer("@", low):
            starts = [m.end()] + ([m.end() + 1] if low[m.end() : m.end() + 1].isspace() else [])
            for start in starts:
                for n in ix.lower_lengths:
                    for u in ix.lower_names.get(low[start : start + n], ()):
                        if u not in found and self._pattern("at", u).search(low):
                            found[u] = 0.85
        lead = re.match(r"\W*", text)
        for start in range((lead.end() if lead else 0) + 1):
            for n in ix.lengths:
                u = text[start : start + n]
                if (
                    u in ix.names
                    and u not in found
                    and self._is_addressable(u)
                    and self._pattern("open", u).match(text)
                ):
                    found[u] = 0.7
        return found

    def mention(self, i: int) -> Decision:
        """@name, or an opening "Name,": that user's latest earlier comment.

        The longest name wins, then @ over an opening, then the user who commented first.
        """
        cm = self.c[i]
        found = self._mentioned(cm.own or cm.text)
        cands = [(u, conf) for u, conf in found.items() if _other_user(cm.user, u)]
        if not cands:
            return None, None, None
        first = self.index.first_seen
        u, conf = min(cands, key=lambda c: (-len(c[0]), -c[1], first[c[0]]))
        return self.c[self.index.by_user[u][-1]].cid, "mention", conf

    def _unique_run(self, i: int, quote: list[str]) -> int | None:
        """The one earlier source holding ``quote`` as consecutive tokens (-1 = article).

        Only comments holding the quote's rarest bigram (token, for one-token quotes)
        are read, and reading stops at a second hit. Comment ``i`` itself is never a
        source (the old scan counted an anonymous comment as its own source).
        """
        ix = self.index
        me = self.c[i].user
        if not quote:
            return None
        if len(quote) >= 2:
            keys = list(itertools.pairwise(quote))
            postings: Mapping = ix.pair_postings
            rarest = min(keys, key=lambda k: len(ix.pair_postings.get(k, ())))
        else:
            postings = ix.token_postings
            rarest = quote[0]
        hits: list[int] = []
        for j in postings.get(rarest, ()):
            if _other_user(me, self.c[j].user) and contains_run(quote, self.c[j].own_tokens):
                hits.append(j)
                if len(hits) > 1:
                    return None
        if (
            self.article_src.toks
            and self.article_set.issuperset(quote)
            and contains_run(quote, self.article_src.toks)
        ):
            hits.append(-1)
        return hits[0] if len(hits) == 1 else None

    def fragment(self, i: int) -> Decision:
        cfg = self.cfg
        if self._segments[0] == i:
            segments = self._segments[1]  # read by find_quotes just before
        else:
            segments = [(seg, tokens(seg.text)) for seg in candidate_segments(self.c[i].text)]
        for seg, toks in segments:
            if not seg.marked or not cfg.min_fragment_tokens <= len(toks) < cfg.min_quote_tokens:
                continue
            hit = self._unique_run(i, toks)
            if hit is not None:
                return self._target(hit), "quote_fragment", METHODS["quote_fragment"][0]
        return None, None, None

    def echo_question(self, i: int) -> Decision:
        """A paragraph-opening question whose content-word pair is in one earlier source."""
        me = self.c[i].user
        for question in paragraph_questions(self.c[i].own, self.cfg.echo_max_tokens):
            pairs = bigrams(content_tokens(question))
            if not pairs:
                continue
            hits: set[int] = set()
            for pair in sorted(pairs):
                for j in self.index.content_pair_postings.get(pair, ()):
                    if _other_user(me, self.c[j].user):
                        hits.add(j)
                        if len(hits) > 1:
                            break
                if len(hits) > 1:
                    break
            article = bool(self.article_src.toks) and bool(pairs & self.article_pairs)
            if len(hits) + article == 1:
                hit = next(iter(hits)) if hits else -1
                return self._target(hit), "echo_question", METHODS["echo_question"][0]
        return None, None, None

    def _headline_sets(self) -> tuple[set[str], set[tuple[str, str, str]]]:
        """Headline-only words and framing three-word phrases (once per thread)."""
        if self._headline is None:
            body = set(self.body_content)
            only_words = {w for w in self.title_content if w not in body} if body else set()
            title_raw = tokens(self.title)
            body_raw = self.article_src.toks[len(title_raw) :]
            body_tri = set(zip(body_raw, body_raw[1:], body_raw[2:], strict=False))
            # A phrase echoes the framing only if it holds a word that is not a name: "US
            # and China" names the topic, "threatened by Trump" takes up the framing.
            only_tri = {
                tri
                for tri in zip(title_raw, title_raw[1:], title_raw[2:], strict=False)
                if tri not in body_tri and any(w in self.framing_words for w in tri)
            }
            self._headline = (only_words, only_tri)
        return self._headline

    def headline_echo(self, i: int) -> Decision:
        """A headline-only word, or a three-word headline phrase, opens the comment."""
        if not self.title_content:
            return None, None, None
        only_words, only_tri = self._headline_sets()
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
            self.index.add(i, cm)
        return out


def infer_thread(
    df: pl.DataFrame,
    article: str | None = None,
    title: str | None = None,
    config: ReplyConfig | None = None,
    *,
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
    # The index adds millions of small lists and sets; none forms a reference cycle, yet
    # the cyclic collector would rescan them all again and again (a third of the time
    # of a 20,000-comment thread). Pause it for the thread; the index is freed after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Thread(comments, article, title, cfg, embedding or EmbeddingConfig()).infer()
    finally:
        if was_enabled:
            gc.enable()


def add_replies(
    df: pl.DataFrame, config: ReplyConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """Fill reply_to / reply_method / reply_confidence for every thread in ``df``.

    The context's articles and titles (thread_id -> article body, headline) let a quote
    of either be a reply to 'article'; its embedding setting serves the marker rule.
    Rows keep their order; reply_to values already present are kept (method 'given'
    unless the input names one).
    """
    context = context or StageContext()
    articles, titles = context.articles, context.titles
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
        decided.extend(
            infer_thread(
                part, articles.get(tid), titles.get(tid), config, embedding=context.embedding
            )
        )
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


def method_table() -> pl.DataFrame:
    """The reply methods with their base confidence and meaning (for docs and reports)."""
    return pl.DataFrame(
        {
            "method": list(METHODS),
            "confidence": [v[0] for v in METHODS.values()],
            "meaning": [v[1] for v in METHODS.values()],
        }
    )


__all__: Sequence[str] = ("METHODS", "ReplyConfig", "add_replies", "infer_thread", "method_table")
