"""VADER sentiment per comment (own words only) and per sentence, at bounded cost.

VADER's cost grows roughly quadratically with text length (and each emoji expands into
words first): 38 kB of text takes ~1.4 s, 9 kB of emoji ~1.5 s. Comments up to
``max_chars`` characters with at most ``max_emojis`` emoji -- every ordinary comment --
are scored exactly as ``SentimentIntensityAnalyzer.polarity_scores`` scores them. Longer
ones are scored in sentence-aligned chunks of at most ``chunk_chars`` and the chunk
scores averaged, weighted by chunk length, so the cost is linear in length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from ..checks import at_least, check_fields
from ..columns import ADDED_COLUMNS
from ..text.sentences import split_sentences

if TYPE_CHECKING:
    from ..context import StageContext

SENTIMENT_COLUMNS = tuple(a.column.name for a in ADDED_COLUMNS if a.stage == "sentiment")

# One emoji costs VADER about as much as this many characters (it becomes its description).
_EMOJI_COST = 15
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\U0001f1e6-\U0001f1ff]")


@dataclass(frozen=True)
class SentimentConfig:
    """How comments are scored.

    max_chars / max_emojis: above either, a text is scored in chunks (bounded cost);
        at or below both, the score is VADER's own, unchanged.
    chunk_chars: the largest chunk (in characters, an emoji counting as 15) given to VADER.
    text_column: the column holding the commenter's own words (quotes already removed).
    """

    max_chars: int = field(default=2_000, metadata=at_least(1))
    max_emojis: int = field(default=30, metadata=at_least(0))
    chunk_chars: int = field(default=1_000, metadata=at_least(1))
    text_column: str = "text"

    def __post_init__(self) -> None:
        check_fields(self)


@cache
def _analyzer():  # -> SentimentIntensityAnalyzer (loading the lexicon takes ~50 ms)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _cost(text: str) -> int:
    return len(text) + (_EMOJI_COST - 1) * len(_EMOJI.findall(text))


def _chunks(text: str, budget: int) -> list[str]:
    """Sentence-aligned pieces of ``text`` each costing at most ``budget`` (words split last)."""
    pieces: list[str] = []
    for sent in split_sentences(text):
        if _cost(sent) <= budget:
            pieces.append(sent)
            continue
        word_piece: list[str] = []
        for word in sent.split():
            if word_piece and _cost(" ".join([*word_piece, word])) > budget:
                pieces.append(" ".join(word_piece))
                word_piece = []
            word_piece.append(word[:budget])
        if word_piece:
            pieces.append(" ".join(word_piece))
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        joined = f"{current} {piece}" if current else piece
        if current and _cost(joined) > budget:
            chunks.append(current)
            current = piece
        else:
            current = joined
    if current:
        chunks.append(current)
    return chunks


def is_bounded(text: str, config: SentimentConfig) -> bool:
    """True when ``text`` is long or emoji-heavy enough to be scored in chunks."""
    return len(text) > config.max_chars or len(_EMOJI.findall(text)) > config.max_emojis


def score_text(text: str, config: SentimentConfig | None = None) -> dict[str, float]:
    """VADER scores (compound, pos, neg, neu) of one text, cost bounded for long texts."""
    config = config or SentimentConfig()
    analyzer = _analyzer()
    if not is_bounded(text, config):
        return dict(analyzer.polarity_scores(text))
    chunks = _chunks(text, config.chunk_chars)
    weights = [len(c) for c in chunks]
    total = float(sum(weights)) or 1.0
    scores = [analyzer.polarity_scores(c) for c in chunks]
    return {
        k: round(sum(w * s[k] for w, s in zip(weights, scores, strict=True)) / total, 4)
        for k in ("compound", "pos", "neg", "neu")
    }


def add_sentiment(
    df: pl.DataFrame, config: SentimentConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """``df`` plus sentiment_compound/_pos/_neg/_neu (Float64) of each comment's own words.

    An empty text scores compound 0, neu 0 (VADER's own convention). Per comment: the
    context is not needed.

    >>> out = add_sentiment(pl.DataFrame({"text": ["Great news!", ""]}))
    >>> out["sentiment_compound"].to_list()
    [0.6588, 0.0]
    """
    config = config or SentimentConfig()
    rows = [score_text(t or "", config) for t in df[config.text_column].to_list()]
    return df.with_columns(
        pl.Series(f"sentiment_{k}", [r[k] for r in rows], dtype=pl.Float64)
        for k in ("compound", "pos", "neg", "neu")
    )


def sentence_sentiment(
    df: pl.DataFrame, config: SentimentConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """One row per sentence of each comment's own words, for drill-down.

    Columns: comment_id, sentence_index (0-based), sentence, sentiment_compound/_pos/_neg/_neu.
    """
    config = config or SentimentConfig()
    ids, idx, sents, scores = [], [], [], []
    for cid, text in df.select("comment_id", config.text_column).iter_rows():
        for i, sent in enumerate(split_sentences(text or "")):
            ids.append(cid)
            idx.append(i)
            sents.append(sent)
            scores.append(score_text(sent, config))
    return pl.DataFrame(
        {
            "comment_id": pl.Series(ids, dtype=pl.String),
            "sentence_index": pl.Series(idx, dtype=pl.Int32),
            "sentence": pl.Series(sents, dtype=pl.String),
            **{
                f"sentiment_{k}": pl.Series([s[k] for s in scores], dtype=pl.Float64)
                for k in ("compound", "pos", "neg", "neu")
            },
        }
    )
