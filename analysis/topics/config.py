"""Topic settings and the size rule that turns 'auto' into concrete choices."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..checks import ConfigError, at_least, check_fields, choices

OUTLIER = -1
"""Topic id of comments that belong to no topic (and of empty comments)."""
OUTLIER_LABEL = "outliers"


@dataclass(frozen=True)
class TopicConfig:
    """How to find topics. Defaults follow the size rule (see module docstring).

    ``'auto'`` fields resolve by corpus size n (non-empty comments): n <= small_corpus_max
    gives reduction='none', clustering='agglomerative', engine='lite'; larger gives
    reduction='umap', clustering='hdbscan', engine='bertopic'.
    """

    random_state: int = 42
    small_corpus_max: int = field(default=300, metadata=at_least(0))
    engine: str = field(default="auto", metadata=choices("auto", "lite", "bertopic"))
    reduction: str = field(default="auto", metadata=choices("auto", "none", "umap"))
    clustering: str = field(
        default="auto", metadata=choices("auto", "agglomerative", "kmeans", "hdbscan")
    )
    n_topics: int | None = field(default=None, metadata=at_least(1))  # None: sqrt(n), clamped
    min_auto_topics: int = field(default=2, metadata=at_least(1))
    max_auto_topics: int = field(default=12, metadata=at_least(1))
    # UMAP (large path): BERTopic's defaults.
    umap_n_neighbors: int = field(default=15, metadata=at_least(2))
    umap_n_components: int = field(default=5, metadata=at_least(1))
    umap_min_dist: float = field(default=0.0, metadata=at_least(0.0))
    umap_metric: str = "cosine"
    # HDBSCAN (large path): BERTopic's defaults (min_topic_size=10).
    hdbscan_min_cluster_size: int = field(default=10, metadata=at_least(2))
    hdbscan_min_samples: int | None = field(default=None, metadata=at_least(1))
    # Vectorizer for c-TF-IDF; fitted on one joined document per topic, as in BERTopic.
    stop_words: str | tuple[str, ...] | None = "english"
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int = field(default=1, metadata=at_least(1))
    reduce_frequent_words: bool = True  # sqrt of term frequency (BERTopic option)
    representation: str = field(default="keybert", metadata=choices("keybert", "ctfidf"))
    n_candidate_words: int = field(default=30, metadata=at_least(1))  # re-ranked by KeyBERT
    mmr_diversity: float = field(default=0.3, metadata=at_least(0.0, high=1.0))
    top_n_words: int = field(default=10, metadata=at_least(1))
    label_words: int = field(default=3, metadata=at_least(1))
    n_representatives: int = field(default=3, metadata=at_least(0))
    fit_sample_size: int = field(default=50_000, metadata=at_least(2))  # then assign the rest
    max_topics: int | None = field(default=50, metadata=at_least(2))  # HDBSCAN path: merge to

    def __post_init__(self) -> None:
        check_fields(self)
        if isinstance(self.stop_words, str) and self.stop_words != "english":
            raise ConfigError(
                "stop_words", f"{self.stop_words!r}: use 'english', a list of words, or none"
            )
        if not 1 <= self.ngram_range[0] <= self.ngram_range[1]:
            raise ConfigError("ngram_range", f"needs 1 <= low <= high, got {self.ngram_range}")


@dataclass(frozen=True)
class TopicPlan:
    """The concrete choices ``'auto'`` resolved to for one corpus."""

    path: str  # 'small' | 'large'
    engine: str
    reduction: str
    clustering: str
    n_topics: int | None
    max_topics: int | None = None  # HDBSCAN only: merge similar topics down to this many


def plan_topics(n_docs: int, config: TopicConfig) -> TopicPlan:
    """Apply the size rule; explicit settings in ``config`` win over it."""
    small = n_docs <= config.small_corpus_max
    reduction = config.reduction if config.reduction != "auto" else ("none" if small else "umap")
    clustering = config.clustering
    if clustering == "auto":
        clustering = "agglomerative" if small else "hdbscan"
    engine = config.engine
    if engine == "auto":
        engine = "lite" if reduction == "none" and clustering != "hdbscan" else "bertopic"
    if engine == "lite" and (reduction != "none" or clustering == "hdbscan"):
        raise ValueError("engine='lite' supports reduction='none' with agglomerative/kmeans only")
    for name, value, known in (
        ("engine", engine, ("lite", "bertopic")),
        ("reduction", reduction, ("none", "umap")),
        ("clustering", clustering, ("agglomerative", "kmeans", "hdbscan")),
        ("representation", config.representation, ("keybert", "ctfidf")),
    ):
        if value not in known:
            raise ValueError(f"unknown {name} {value!r}; known: {', '.join(known)}")
    n_topics = None
    if clustering != "hdbscan":
        n_topics = config.n_topics or round(math.sqrt(n_docs))
        n_topics = max(config.min_auto_topics, min(config.max_auto_topics, n_topics))
        n_topics = max(1, min(n_topics, n_docs))
    max_topics = config.max_topics if clustering == "hdbscan" else None
    return TopicPlan(
        "small" if small else "large", engine, reduction, clustering, n_topics, max_topics
    )
