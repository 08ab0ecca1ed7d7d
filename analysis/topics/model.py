"""Topics: which themes the corpus is about (BERTopic's method, sized for small threads).

Pipeline (BERTopic's): embed each comment (all-MiniLM-L6-v2, cached) -> optionally reduce
(UMAP) -> cluster -> c-TF-IDF top words per topic -> re-rank the words by similarity to the
topic (KeyBERT-inspired) with Maximal Marginal Relevance for variety -> short label.

Why two settings: BERTopic's defaults (UMAP + HDBSCAN, min_topic_size=10) put all 37
comments of a typical thread in the outlier topic -1. So the **size rule**: a corpus of at
most ``small_corpus_max`` non-empty comments is clustered directly on the embeddings with
Ward agglomerative clustering into ``round(sqrt(n))`` topics (no UMAP, no outliers); a
larger one gets BERTopic's defaults-like UMAP + HDBSCAN, with similar topics merged down
to ``max_topics`` (50) so that a large corpus gives a number of topics a person can read.
Every piece can be overridden (:class:`~.config.TopicConfig`).

Why two engines: ``import bertopic`` imports UMAP, whose numba functions compile on the
first import on a machine (~15 s) and cost ~5 s to import after; a 37-comment thread must
not pay that. The ``lite`` engine runs BERTopic's steps for the small path with scikit-learn
only (same c-TF-IDF formula as ``bertopic.vectorizers.ClassTfidfTransformer``; a test checks
that it gives the same topics and c-TF-IDF words as BERTopic itself). The ``bertopic``
engine runs BERTopic itself and is used for UMAP/HDBSCAN (the large path).

The fitted :class:`TopicModel` is kept (``AnalysisResult.topic_model``): ``transform``
assigns new comments to the existing topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..context import StageContext
from ..embeddings import EmbeddingConfig, embed
from .bertopic_engine import fit_bertopic
from .config import OUTLIER, OUTLIER_LABEL, TopicConfig, TopicPlan, plan_topics
from .lite import cluster_lite, sort_by_size
from .words import ends, make_label, representatives, topic_words_lite, unit

TOPIC_TABLE_SCHEMA = {
    "topic": pl.Int32,
    "label": pl.String,
    "size": pl.Int32,
    "top_words": pl.String,
    "representative_ids": pl.String,
}


@dataclass(frozen=True)
class TopicFit:
    """Topic per document (-1 outlier) and the top words of each topic."""

    topics: np.ndarray
    words: dict[int, list[str]]
    embeddings: np.ndarray
    plan: TopicPlan
    model: object | None = None  # the fitted BERTopic model (bertopic engine only)


def fit_topics(
    docs: Sequence[str],
    config: TopicConfig | None = None,
    *,
    embedding: EmbeddingConfig | None = None,
) -> TopicFit:
    """Topics for non-empty ``docs``; ids 0, 1, ... by decreasing size, -1 for outliers."""
    config = config or TopicConfig()
    embedding = embedding or EmbeddingConfig()
    docs = list(docs)
    plan = plan_topics(len(docs), config)
    emb = embed(docs, embedding) if docs else np.zeros((0, 384), np.float32)
    if len(docs) < 2:
        return TopicFit(np.zeros(len(docs), np.int64), {0: []} if docs else {}, emb, plan)
    if plan.engine == "lite":
        topics = sort_by_size(cluster_lite(emb, plan, config))
        words = topic_words_lite(docs, topics, emb, config, embedding)
        return TopicFit(topics, words, emb, plan)
    topics, words, model = fit_bertopic(docs, emb, plan, config, embedding)
    return TopicFit(topics, words, emb, plan, model)


def _texts_and_ids(df: pl.DataFrame) -> tuple[list[str], list[str]]:
    if "text" not in df.columns:
        raise ValueError("the topic stage needs a 'text' column (the comment table)")
    texts = df["text"].fill_null("").to_list()
    ids = (
        df["comment_id"].cast(pl.String).to_list()
        if "comment_id" in df.columns
        else [str(i) for i in range(df.height)]
    )
    return texts, ids


@dataclass(frozen=True)
class TopicModel:
    """Fitted topics: labels, words, centroids, the topic table of the fitted corpus, and
    the topic of every fitted comment (in table order)."""

    config: TopicConfig
    plan: TopicPlan
    labels: dict[int, str]
    words: dict[int, list[str]]
    centroids: dict[int, np.ndarray]
    table: pl.DataFrame
    assigned: np.ndarray
    backend: object | None = None

    def fitted(self, df: pl.DataFrame) -> pl.DataFrame:
        """The table the model was fitted on (same rows, same order) plus its topics."""
        if df.height != len(self.assigned):
            raise ValueError("fitted() takes the table the model was fitted on; use transform()")
        return self._columns(df, self.assigned)

    def _columns(self, df: pl.DataFrame, topic: np.ndarray) -> pl.DataFrame:
        return df.with_columns(
            pl.Series("topic", topic, dtype=pl.Int32),
            pl.Series("topic_label", [self.labels[int(t)] for t in topic], dtype=pl.String),
        )

    def transform(self, df: pl.DataFrame, *, context: StageContext | None = None) -> pl.DataFrame:
        """``df`` plus topic/topic_label from these topics (new comments, same topics).

        The bertopic engine uses BERTopic's own ``transform``; the lite engine assigns
        each comment to the topic whose centroid is nearest (cosine). Empty text: -1.
        """
        context = context or StageContext()
        texts, _ = _texts_and_ids(df)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        topic = np.full(len(texts), OUTLIER, dtype=np.int64)
        docs = [texts[i] for i in keep]
        if docs and self.centroids:
            emb = embed(docs, context.embedding)
            if self.backend is not None:
                found, _ = self.backend.transform(ends(docs), emb)
                topic[keep] = np.asarray(found, dtype=np.int64)
            else:
                ids = sorted(self.centroids)
                sims = emb.astype(np.float64) @ np.stack([self.centroids[t] for t in ids]).T
                topic[keep] = np.asarray(ids, dtype=np.int64)[np.argmax(sims, axis=1)]
        return self._columns(df, topic)


def _table(
    fit: TopicFit,
    topic: np.ndarray,
    labels: dict[int, str],
    ids: list[str],
    keep: list[int],
    n_reps: int,
) -> pl.DataFrame:
    """One row per topic (-1 first when present): topic, label, size, top_words and
    representative_ids, both '; '-joined so the table writes to CSV."""
    kept_ids = [ids[i] for i in keep]
    rows = []
    for t in sorted(set(topic.tolist())):
        members = np.flatnonzero(fit.topics == t)
        if t == OUTLIER:
            reps = [ids[i] for i in np.flatnonzero(topic == OUTLIER)[:n_reps]]
        else:
            reps = [kept_ids[i] for i in representatives(fit.embeddings, members, n_reps)]
        rows.append(
            {
                "topic": t,
                "label": labels[t],
                "size": int((topic == t).sum()),
                "top_words": "; ".join(fit.words.get(t, [])),
                "representative_ids": "; ".join(reps),
            }
        )
    return pl.DataFrame(rows, schema=TOPIC_TABLE_SCHEMA)


def fit_topic_model(
    df: pl.DataFrame, config: TopicConfig | None = None, *, context: StageContext | None = None
) -> TopicModel:
    """Fit topics on each comment's own words (``text``); an empty comment gets -1."""
    config = config or TopicConfig()
    context = context or StageContext()
    texts, ids = _texts_and_ids(df)
    keep = [i for i, t in enumerate(texts) if t.strip()]
    fit = fit_topics([texts[i] for i in keep], config, embedding=context.embedding)
    topic = np.full(len(texts), OUTLIER, dtype=np.int64)
    topic[keep] = fit.topics
    labels = {t: make_label(w, config.label_words) or f"topic {t}" for t, w in fit.words.items()}
    labels[OUTLIER] = OUTLIER_LABEL
    centroids = {
        t: unit(fit.embeddings[fit.topics == t].astype(np.float64).mean(axis=0))
        for t in sorted(set(fit.topics.tolist()))
        if t != OUTLIER
    }
    table = _table(fit, topic, labels, ids, keep, config.n_representatives)
    return TopicModel(config, fit.plan, labels, fit.words, centroids, table, topic, fit.model)


def add_topics(
    df: pl.DataFrame, config: TopicConfig | None = None, *, context: StageContext | None = None
) -> pl.DataFrame:
    """``df`` plus ``topic`` (Int32, -1 outlier) and ``topic_label``, fitted on ``df``.

    To keep the fitted topics (their table, or to assign new comments later), call
    :func:`fit_topic_model` and use the model's ``assigned`` topics or ``transform``.
    """
    return fit_topic_model(df, config, context=context).fitted(df)
