"""Synthetic comment threads that exercise every reply cue, for equivalence tests and benchmarks.

Why: there is one real thread (37 comments). The indexed reply inference must agree
with the old quadratic one on long threads full of the cues it indexes: verbatim and
typo'd quotes (marked and unmarked, of comments and of the article), @mentions and
"Name," openings (names with spaces, names that are ordinary openers), quoted
fragments, echo-questions, markers, headline echoes, quote headers, given reply_to,
self-quotes and comments with no cue. Text comes from a word-bigram chain trained on
the seed thread, its article and the sample articles (one word in five drawn afresh,
so sentences do not copy a skeleton wholesale); most content words are then swapped
for words drawn with Zipf frequencies from MiniLM's 21k-word vocabulary, so a long
thread has a realistic vocabulary (a few very common words, a long tail) and long
sentences rarely repeat by chance. Seeded: the same arguments give the same table.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

import polars as pl
from readerscope.analysis.embeddings.minilm import minilm_path
from readerscope.analysis.replies.text_match import STOP_WORDS
from readerscope.comments import read_thread
from readerscope.comments.schema import conform

SAMPLE_ARTICLES = Path(__file__).resolve().parents[1] / "comments" / "samples" / "articles"
TITLE = "Threatened by Trump tariffs, Japan walks delicate tightrope between U.S. and China"
NAMES = (
    "Tokyo Guy",
    "Well",
    "True",
    "deanzaZZR",
    "J.Smith",
    "kohakuebisu",
    "Sh1mon M4sada",
    "no",
    "Fos",
    "Peter14",
    "isabelle",
    "A",
)
MARKERS = (
    "Agreed.",
    "I don't think so!",
    "True, ",
    "Exactly.",
    "I agree with you, ",
    "You are wrong, ",
    "No, ",
    "So true.",
    "Your point is fair but ",
    "On the contrary, ",
    "Really?",
    "Nonsense.",
)


@lru_cache(maxsize=1)
def _corpus() -> tuple[dict[str, list[str]], list[str], str]:
    """Word-bigram chain (seed comments, seed article, the sample articles), the seed
    article's sentences and its text."""
    thread = read_thread()
    texts = [*thread.comments["text"].to_list(), thread.article_text]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_ARTICLES.glob("*.txt"))]
    chain: dict[str, list[str]] = {}
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")):
            words = sentence.split()
            for a, b in zip(["<s>", *words], [*words, "</s>"], strict=True):
                chain.setdefault(a, []).append(b)
            chain.setdefault("<any>", []).extend(words)
    article_sentences = [
        s for s in re.split(r"(?<=[.!?])\s+", thread.article_text.replace("\n", " ")) if s
    ]
    return chain, article_sentences, thread.article_text


@lru_cache(maxsize=1)
def _vocabulary() -> list[str]:
    """MiniLM's whole lower-case words of 3+ letters that are not stop words, by frequency."""
    lines = (minilm_path() / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return [
        w
        for w in lines
        if len(w) >= 3 and w.isascii() and w.isalpha() and w.islower() and w not in STOP_WORDS
    ]


def _swap(rng: random.Random, word: str) -> str:
    """Replace a content word by a Zipf-drawn vocabulary word, keeping case and punctuation."""
    core = word.strip(".,!?;:\"“”'()")
    if not core.isalpha() or core.lower() in STOP_WORDS or rng.random() < 0.4:
        return word
    vocab = _vocabulary()
    new = vocab[int(len(vocab) ** rng.random()) - 1]
    if core[0].isupper():
        new = new.capitalize()
    return word.replace(core, new, 1)


def sentence(rng: random.Random, max_words: int = 28) -> str:
    """One sentence from the bigram chain (3..max_words words), content words swapped."""
    chain, _, _ = _corpus()
    words: list[str] = []
    word = "<s>"
    unigrams = chain["<any>"]
    while len(words) < max_words:
        # Now and then a word from anywhere: writers do not copy each other's phrasing.
        word = rng.choice(chain[word] if rng.random() > 0.2 or not words else unigrams)
        word = word if word in chain else "</s>"
        if word == "</s>":
            if len(words) >= 3:
                break
            word = "<s>"
            continue
        words.append(word)
    text = " ".join(_swap(rng, w) for w in words)
    return text if text[-1] in ".!?" else text + "."


def _typo(rng: random.Random, text: str) -> str:
    """Drop, double or swap one letter, or drop one word: a re-typed quote."""
    words = text.split()
    k = rng.randrange(len(words))
    w = words[k]
    if rng.random() < 0.3 and len(words) > 6:
        del words[k]
    elif len(w) > 3:
        p = rng.randrange(1, len(w) - 1)
        w = rng.choice(
            [w[:p] + w[p + 1 :], w[:p] + w[p] + w[p:], w[:p] + w[p + 1] + w[p] + w[p + 2 :]]
        )
        words[k] = w
    return " ".join(words)


def _span(rng: random.Random, text: str, lo: int, hi: int) -> str:
    words = text.split()
    n = min(len(words), rng.randint(lo, hi))
    start = rng.randrange(0, len(words) - n + 1)
    return " ".join(words[start : start + n])


def _quote(rng: random.Random, source: str) -> str:
    """A quote of ``source`` in one of the shapes pasted quotes take."""
    span = _span(rng, source, 4, 20)
    if rng.random() < 0.35:
        span = _typo(rng, span)
    shape = rng.random()
    if shape < 0.3:
        return f"“{span}”"
    if shape < 0.5:
        return f'"{span}"'
    if shape < 0.6:
        return f"«{span}»"
    if shape < 0.7:
        return f"'{span}"
    return span  # unmarked: a pasted line


def _own(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))


def _comment(rng: random.Random, rows: list[dict], users: list[str | None]) -> dict:
    """The next comment: a cue chosen at random, aimed at a random earlier comment."""
    _, article_sentences, _ = _corpus()
    user = rng.choice(users)
    row: dict = {"user": user, "quoted_text": None, "quoted_user": None, "reply_to": None}
    if not rows:
        return {**row, "text": _own(rng)}
    # Most answers go to recent comments, some far back.
    back = min(len(rows), int(rng.expovariate(1 / 6)) + 1 if rng.random() < 0.8 else len(rows))
    j = len(rows) - rng.randint(1, back)
    target = rows[j]
    other = target["user"]
    kind = rng.random()
    if kind < 0.12:
        text = f"{_quote(rng, target['text'])}\n{_own(rng)}"
    elif kind < 0.17:
        text = f"{_quote(rng, rng.choice(article_sentences))}\n{_own(rng)}"
    elif kind < 0.25 and other:
        name = other.lower() if rng.random() < 0.5 else other
        text = f"@{' ' if rng.random() < 0.1 else ''}{name} {_own(rng)}"
    elif kind < 0.30 and other:
        text = f"{other}, {_own(rng)}"
    elif kind < 0.35:
        text = f'Not "{_span(rng, target["text"], 2, 3)}" at all. {_own(rng)}'
    elif kind < 0.40:
        pair = " ".join(_span(rng, target["text"], 2, 2).split()[:2])
        text = f"{pair.capitalize()}?\n{_own(rng)}"
    elif kind < 0.55:
        words = _span(rng, target["text"], 0, 6) if rng.random() < 0.6 else ""
        text = f"{rng.choice(MARKERS)}{words} {sentence(rng) if rng.random() < 0.5 else ''}"
    elif kind < 0.58:
        text = f"Why the {rng.choice(['tightrope', 'delicate', 'walks'])}?? {_own(rng)}"
    elif kind < 0.64:
        quoted = target["text"] if rng.random() < 0.7 else _span(rng, target["text"], 3, 15)
        row["quoted_text"] = quoted
        row["quoted_user"] = other if rng.random() < 0.8 else rng.choice(users)
        text = _own(rng)
    elif kind < 0.66:
        text = _own(rng)
        row["reply_to"] = target["comment_id"]
    elif kind < 0.68 and user is not None:
        mine = [r for r in rows if r["user"] == user]
        text = f"{_quote(rng, mine[-1]['text'])}\nAs I said." if mine else _own(rng)
    else:
        text = _own(rng)
    return {**row, "text": text.strip()}


def synthetic_thread(
    n: int, seed: int = 0, thread_id: str = "syn", anonymous: float = 0.0
) -> pl.DataFrame:
    """``n`` comments of one thread; ``anonymous`` is the share of comments without a user."""
    rng = random.Random(seed)
    n_users = max(3, n // 6)
    pool = list(NAMES) + [f"user{k}" for k in range(max(0, n_users - len(NAMES)))]
    users: list[str | None] = pool[:n_users]
    if anonymous:
        users += [None] * int(len(users) * anonymous / (1 - anonymous) if anonymous < 1 else 1)
        if anonymous >= 1:
            users = [None]
    rows: list[dict] = []
    for i in range(1, n + 1):
        row = _comment(rng, rows, users)
        rows.append(
            {"thread_id": thread_id, "comment_id": f"{thread_id}-c{i}", "position": i, **row}
        )
    return conform(pl.DataFrame(rows, infer_schema_length=None))


def article_and_title() -> tuple[str, str]:
    """The seed article and its headline: article quotes and headline echoes need them."""
    return _corpus()[2], TITLE
