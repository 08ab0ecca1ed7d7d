"""The analysis pipeline: comment table in, every analysis column out.

Order matters and is fixed: sentiment and stance are per-comment (batched, optionally
over several processes); replies need whole threads (and the article text); topics need
the whole corpus. Each stage is ``add_<stage>(df, config, *, context) -> df`` and only
adds columns (declared in :mod:`.columns`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..comments import Corpus
from .config import AnalysisConfig
from .context import StageContext
from .embeddings import resolve_backend
from .embeddings.backends import backend_for
from .parallel import map_batches
from .replies.inference import ReplyConfig, add_replies
from .sentiment.vader import SentimentConfig, add_sentiment, sentence_sentiment
from .stance.stage import StanceConfig, add_stance, resolve_method
from .stance.targets import Target
from .topics.model import TopicModel, fit_topic_model

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one analysis run produces (all polars tables, plus the fitted topics)."""

    comments: pl.DataFrame
    threads: pl.DataFrame
    topics: pl.DataFrame
    sentences: pl.DataFrame
    targets: tuple[Target, ...]
    config: AnalysisConfig
    topic_model: TopicModel | None = None
    stance_choice: str | None = None  # why this stance method ran (what 'auto' chose)


def per_comment_stage(
    df: pl.DataFrame,
    sentiment: SentimentConfig,
    stance: StanceConfig,
    context: StageContext,
) -> pl.DataFrame:
    """Sentiment then stance on one batch (module level, so batch workers can pickle it).

    Each row depends only on itself and its thread's article, so batches are independent.
    """
    return add_stance(add_sentiment(df, sentiment, context=context), stance, context=context)


def score_comments(
    df: pl.DataFrame, config: AnalysisConfig, *, context: StageContext | None = None
) -> pl.DataFrame:
    """Sentiment and stance: pure per-comment stages, run in batches."""
    return map_batches(
        df,
        per_comment_stage,
        fn_args=(config.sentiment, config.stance, context or StageContext()),
        batch_size=config.run.batch_size,
        n_jobs=config.run.n_jobs,
    )


def thread_replies(df: pl.DataFrame, replies: ReplyConfig, context: StageContext) -> pl.DataFrame:
    """Replies on a batch of whole threads (module level, so batch workers can pickle it)."""
    return add_replies(df, replies, context=context)


def reply_stage(df: pl.DataFrame, config: AnalysisConfig, *, context: StageContext) -> pl.DataFrame:
    """Replies on whole threads, in batches that never split a thread (over processes
    with ``[run] n_jobs``; threads are independent, so the result is the same). The Ray
    engine calls this too, with n_jobs 1 inside its workers."""
    if config.run.n_jobs != 1 and config.replies.use_embeddings:
        embedding = context.embedding
        backend_for(resolve_backend(embedding, df.height)).prepare(embedding)
    return map_batches(
        df,
        thread_replies,
        fn_args=(config.replies, context),
        batch_size=config.run.batch_size,
        n_jobs=config.run.n_jobs,
    )


def resolve_auto(config: AnalysisConfig, n_comments: int) -> tuple[AnalysisConfig, str]:
    """``config`` with every 'auto' decided once for the whole corpus, and why (for stance).

    Why once: a stage that sees one thread or one batch would otherwise decide on its
    own size (replies embedding a 20-comment thread with MiniLM while topics embed the
    corpus with the static model). Both engines call this; the manifest records the result.
    """
    stance, stance_choice = resolve_method(config.stance, n_comments)
    embedding = dataclasses.replace(
        config.embedding, backend=resolve_backend(config.embedding, n_comments)
    )
    return dataclasses.replace(config, stance=stance, embedding=embedding), stance_choice


def analyze(
    corpus: Corpus,
    config: AnalysisConfig | None = None,
    *,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Run every stage on ``corpus`` and return the analysed tables."""
    say = progress or (lambda _msg: None)
    df = corpus.comments
    config, stance_choice = resolve_auto(config or AnalysisConfig(), df.height)
    context = StageContext.from_corpus(corpus, embedding=config.embedding)

    say("sentiment and stance")
    df = score_comments(df, config, context=context)
    sentences = sentence_sentiment(df, config.sentiment, context=context)

    if config.stages.replies:
        say("reply targets")
        df = reply_stage(df, config, context=context)

    topic_model = None
    topics = pl.DataFrame()
    if config.stages.topics:
        say("topics")
        topic_model = fit_topic_model(df, config.topics, context=context)
        df = topic_model.fitted(df)
        topics = topic_model.table

    return AnalysisResult(
        comments=df,
        threads=corpus.threads,
        topics=topics,
        sentences=sentences,
        targets=config.stance.targets(),
        config=config,
        topic_model=topic_model,
        stance_choice=stance_choice,
    )
