"""Sentiment: VADER's own scores on ordinary comments, bounded cost on huge ones."""

from __future__ import annotations

import time
from functools import cache

import polars as pl
import pytest
from readerscope.analysis.sentiment.vader import (
    SentimentConfig,
    add_sentiment,
    is_bounded,
    score_text,
    sentence_sentiment,
    split_sentences,
)
from readerscope.comments import read_thread
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@cache
def seed() -> pl.DataFrame:
    return read_thread().comments


def test_seed_scores_are_exactly_vader_on_own_words():
    df = add_sentiment(seed())
    vader = SentimentIntensityAnalyzer()
    for text, compound, pos, neg, neu in df.select(
        "text", "sentiment_compound", "sentiment_pos", "sentiment_neg", "sentiment_neu"
    ).iter_rows():
        assert not is_bounded(text, SentimentConfig())  # every seed comment is "normal"
        raw = vader.polarity_scores(text)
        assert (compound, pos, neg, neu) == (raw["compound"], raw["pos"], raw["neg"], raw["neu"])


def test_sentiment_columns_and_types():
    df = add_sentiment(seed())
    for col in ("sentiment_compound", "sentiment_pos", "sentiment_neg", "sentiment_neu"):
        assert df.schema[col] == pl.Float64
        assert df[col].null_count() == 0
    assert df.select(pl.col("sentiment_compound").is_between(-1, 1).all()).item()
    # The input columns are untouched.
    assert df.select(seed().columns).equals(seed())


def test_long_text_is_chunked_and_stays_fast():
    base = "China's far from perfect, but the alternative is a man child. I love it! "
    long_text = base * 2_000  # ~146 kB; raw VADER would take minutes
    cfg = SentimentConfig()
    assert is_bounded(long_text, cfg)
    start = time.perf_counter()
    scores = score_text(long_text, cfg)
    assert time.perf_counter() - start < 10  # linear, ~0.2 s; generous for a loaded CI box
    # Chunking by sentences: the long text scores like its repeated unit, not like noise.
    unit = score_text(base * 10, cfg)
    assert scores["compound"] == pytest.approx(unit["compound"], abs=0.01)
    assert scores["pos"] == pytest.approx(unit["pos"], abs=0.01)


def test_emoji_heavy_text_is_bounded():
    text = "great 😀😡🎉 " * 400
    assert is_bounded(text, SentimentConfig())
    scores = score_text(text)
    assert 0 < scores["compound"] <= 1
    assert scores["pos"] + scores["neg"] + scores["neu"] == pytest.approx(1, abs=0.01)


def test_sentence_table_covers_every_sentence():
    df = seed()
    sentences = sentence_sentiment(df)
    assert sentences.columns[:3] == ["comment_id", "sentence_index", "sentence"]
    expected = sum(len(split_sentences(t)) for t in df["text"].to_list())
    assert sentences.height == expected
    first = sentences.filter(pl.col("comment_id") == df["comment_id"][0])
    assert first["sentence"].to_list() == [
        "Now would be a great time for a summit between Xi and Ishiba.",
        "It is long overdue.",
    ]
    assert first["sentence_index"].to_list() == [0, 1]


def test_split_sentences_keeps_abbreviations():
    assert split_sentences("If the U.S. abandons Japan, then what? Mr. Xi waits.") == [
        "If the U.S. abandons Japan, then what?",
        "Mr. Xi waits.",
    ]


def test_empty_text_scores_zero():
    df = pl.DataFrame({"comment_id": ["a"], "text": [""]})
    out = add_sentiment(df)
    assert out["sentiment_compound"][0] == 0.0
    assert sentence_sentiment(df).height == 0


def test_deterministic():
    assert add_sentiment(seed()).equals(add_sentiment(seed()))
