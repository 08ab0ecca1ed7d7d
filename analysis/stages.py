"""Per-comment stages bundled into one picklable function for batch workers."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from .sentiment import SentimentConfig, add_sentiment
from .stance import StanceConfig, add_stance


def per_comment_stage(
    df: pl.DataFrame,
    sentiment: SentimentConfig,
    stance: StanceConfig,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Sentiment then stance on one batch (each row depends only on itself and its article,
    which lets stance ignore pasted article sentences)."""
    return add_stance(add_sentiment(df, sentiment), stance, articles=articles)
