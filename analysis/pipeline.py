"""The analysis pipeline: comment table in, every analysis column out.

Order matters and is fixed: sentiment and stance are per-comment (batched, optionally
over several processes); replies need whole threads (and the article text);
topics need the whole corpus. Each stage only adds columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from ..comments import Corpus
from .config import AnalysisConfig
from .sentiment.vader import SentimentConfig, add_sentiment
from .stance.rules import StanceConfig, add_stance
from .stance.targets import Target, load_targets

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis run produces (all polars tables)."""

    comments: pl.DataFrame
    threads: pl.DataFrame
    topics: pl.DataFrame
    sentences: pl.DataFrame
    targets: tuple[Target, ...]
    config: AnalysisConfig


def _with_embedding(stage_config, embedding):
    """Give a stage the run's shared embedding settings, if the stage embeds."""
    if any(f.name == "embedding" for f in dataclasses.fields(stage_config)):
        return dataclasses.replace(stage_config, embedding=embedding)
    return stage_config


def per_comment_stage(
    df: pl.DataFrame,
    sentiment: SentimentConfig,
    stance: StanceConfig,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Sentiment then stance on one batch (module level, so batch workers can pickle it).

    Each row depends only on itself and its thread's article, so batches are independent.
    """
    return add_stance(add_sentiment(df, sentiment), stance, articles=articles)


def score_comments(
    df: pl.DataFrame, config: AnalysisConfig, articles: dict[str, str] | None = None
) -> pl.DataFrame:
    """Sentiment and stance: pure per-comment stages, run in batches."""
    from .parallel import map_batches

    return map_batches(
        df,
        per_comment_stage,
        fn_args=(config.sentiment, config.stance, articles),
        batch_size=config.run.batch_size,
        n_jobs=config.run.n_jobs,
    )


def analyze(
    corpus: Corpus,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Run every stage on ``corpus`` and return the analysed tables."""
    from .replies.inference import add_replies
    from .sentiment.vader import sentence_sentiment
    from .topics.model import add_topics

    config = config or AnalysisConfig()
    say = progress or (lambda _msg: None)
    df = corpus.comments

    say("sentiment and stance")
    df = score_comments(df, config, corpus.articles())
    sentences = sentence_sentiment(df, config.sentiment)

    if config.run.replies:
        say("reply targets")
        df = add_replies(
            df,
            articles=corpus.articles(),
            titles=corpus.titles(),
            config=_with_embedding(config.replies, config.embedding),
        )

    if config.run.topics:
        say("topics")
        df, topics = add_topics(df, _with_embedding(config.topics, config.embedding))
    else:
        topics = pl.DataFrame()

    return AnalysisResult(
        comments=df,
        threads=corpus.threads,
        topics=topics,
        sentences=sentences,
        targets=load_targets(getattr(config.stance, "targets_path", None)),
        config=config,
    )
