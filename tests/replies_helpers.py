"""Run the replies stage in tests the short way: articles, titles and an embedding setting
in, the analysed table out (the stage itself takes them through a StageContext)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl
from readerscope.analysis.context import StageContext
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.replies.inference import ReplyConfig, add_replies


@dataclass(frozen=True)
class Setup:
    """A reply config with the embedding setting the run would give it."""

    config: ReplyConfig = field(default_factory=ReplyConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)


def run_replies(
    df: pl.DataFrame,
    articles: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    setup: Setup | ReplyConfig | None = None,
) -> pl.DataFrame:
    setup = setup if isinstance(setup, Setup) else Setup(config=setup or ReplyConfig())
    context = StageContext(articles or {}, titles or {}, setup.embedding)
    return add_replies(df, setup.config, context=context)
