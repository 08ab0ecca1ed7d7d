"""Stance of news articles, paragraph by paragraph: the coverage beside the readers.

Each article is split into body paragraphs (:func:`readerscope.comments.articles.paragraphs`)
and every paragraph is scored by the same stance stage as the comments, as a
one-paragraph "comment" of its own. The unit differs (paragraph vs comment) and the
methods were built for comments, so read the result as a coarse framing indicator.
"""

from __future__ import annotations

import polars as pl

from ...comments.articles import article_paragraphs
from .stage import StanceConfig, add_stance


def score_article_paragraphs(
    paragraphs: pl.DataFrame, config: StanceConfig | None = None
) -> pl.DataFrame:
    """Paragraph table (article_id, outlet, paragraph, text) plus the stance columns.

    Each paragraph gets its own thread id so the stage's quotation filter (which drops
    lines repeating earlier comments of the same thread) never removes article prose.
    """
    units = paragraphs.with_columns(
        (pl.col("article_id") + "-p" + pl.col("paragraph").cast(pl.String)).alias("thread_id")
    )
    return add_stance(units, config).drop("thread_id")


def article_stance(articles: pl.DataFrame, config: StanceConfig | None = None) -> pl.DataFrame:
    """Stance per body paragraph of each article in an article table."""
    return score_article_paragraphs(article_paragraphs(articles), config)
