"""Sentiment stage: VADER scores per comment and per sentence."""

from .vader import SENTIMENT_COLUMNS, SentimentConfig, add_sentiment, score_text, sentence_sentiment

__all__ = [
    "SENTIMENT_COLUMNS",
    "SentimentConfig",
    "add_sentiment",
    "score_text",
    "sentence_sentiment",
]
