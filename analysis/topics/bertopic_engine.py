"""The 'bertopic' engine: BERTopic itself (UMAP + HDBSCAN for large corpora).

BERTopic works on pandas/numpy inside: lists go in, lists out. Its word embeddings
(KeyBERT, MMR) go through readerscope's offline, cached encoder, and it counts words on
the same cleaned text as the lite engine.
"""

from __future__ import annotations

import numpy as np

from ..embeddings import EmbeddingConfig, embed
from .config import OUTLIER, TopicConfig, TopicPlan
from .words import clean, ends, vectorizer


def _reducer(plan: TopicPlan, config: TopicConfig):
    if plan.reduction == "umap":
        from umap import UMAP

        return UMAP(
            n_neighbors=config.umap_n_neighbors,
            n_components=config.umap_n_components,
            min_dist=config.umap_min_dist,
            metric=config.umap_metric,
            random_state=config.random_state,  # also makes UMAP single-threaded: reproducible
        )
    from bertopic.dimensionality import BaseDimensionalityReduction

    return BaseDimensionalityReduction()


def _clusterer(plan: TopicPlan, config: TopicConfig):
    if plan.clustering == "hdbscan":
        from hdbscan import HDBSCAN

        return HDBSCAN(
            min_cluster_size=config.hdbscan_min_cluster_size,
            min_samples=config.hdbscan_min_samples,
            metric="euclidean",
            cluster_selection_method="eom",
            prediction_data=True,
        )
    if plan.clustering == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=plan.n_topics, n_init=10, random_state=config.random_state)
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(n_clusters=plan.n_topics, linkage="ward")


def _representation(config: TopicConfig):
    if config.representation != "keybert":
        return None
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

    return [
        KeyBERTInspired(
            top_n_words=2 * config.top_n_words,
            nr_candidate_words=config.n_candidate_words,
            random_state=config.random_state,
        ),
        MaximalMarginalRelevance(diversity=config.mmr_diversity, top_n_words=config.top_n_words),
    ]


def build_bertopic(plan: TopicPlan, config: TopicConfig, embedding: EmbeddingConfig):
    """A BERTopic model configured as ``plan`` and ``config`` say."""
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from bertopic.vectorizers import ClassTfidfTransformer

    class CachedEmbedder(BaseEmbedder):
        """BERTopic's word embeddings (KeyBERT, MMR) through our offline, cached model."""

        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            return embed([str(d) for d in documents], embedding)

    class CleanBERTopic(BERTopic):
        """BERTopic counting words on the same cleaned text as the lite engine.

        Overrides BERTopic's private ``_preprocess_text`` (stable since 0.9), which would
        glue 'Japan-China' into 'JapanChina'.
        """

        def _preprocess_text(self, documents) -> list[str]:
            return [clean(str(d)) for d in documents]

    return CleanBERTopic(
        embedding_model=CachedEmbedder(),
        umap_model=_reducer(plan, config),
        hdbscan_model=_clusterer(plan, config),
        vectorizer_model=vectorizer(config),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=config.reduce_frequent_words),
        representation_model=_representation(config),
        top_n_words=config.top_n_words,
        nr_topics=plan.max_topics,
        calculate_probabilities=False,
        verbose=False,
    )


def fit_bertopic(
    docs: list[str],
    emb: np.ndarray,
    plan: TopicPlan,
    config: TopicConfig,
    embedding: EmbeddingConfig,
) -> tuple[np.ndarray, dict[int, list[str]], object]:
    """(topic per doc, top words per topic, the fitted model). Above ``fit_sample_size``
    the model is fitted on a seeded sample and the rest is assigned by ``transform``."""
    model = build_bertopic(plan, config, embedding)
    n = len(docs)
    word_docs = ends(docs)  # embeddings are given, so only the word counts see these
    if n > config.fit_sample_size:
        if plan.clustering == "agglomerative":
            raise ValueError(
                "fit_sample_size needs clustering with a predict step (hdbscan, kmeans)"
            )
        rng = np.random.default_rng(config.random_state)
        sample = np.sort(rng.choice(n, size=config.fit_sample_size, replace=False))
        model.fit([word_docs[i] for i in sample], emb[sample])
        topics, _ = model.transform(word_docs, emb)
    else:
        topics, _ = model.fit_transform(word_docs, emb)
    words = {
        int(t): [w for w, _ in pairs if w]
        for t, pairs in model.get_topics().items()
        if int(t) != OUTLIER
    }
    return np.asarray(topics, dtype=np.int64), words, model
