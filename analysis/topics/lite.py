"""The 'lite' engine: BERTopic's small-corpus steps with scikit-learn only (no UMAP import)."""

from __future__ import annotations

import numpy as np

from .config import OUTLIER, TopicConfig, TopicPlan


def sort_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0, 1, ... by decreasing size; ties by first appearance (stable)."""
    ids = [t for t in dict.fromkeys(labels.tolist()) if t != OUTLIER]
    sizes = {t: int((labels == t).sum()) for t in ids}
    order = sorted(ids, key=lambda t: -sizes[t])  # sorted() is stable: ties keep first use
    mapping = {old: new for new, old in enumerate(order)}
    mapping[OUTLIER] = OUTLIER
    return np.array([mapping[t] for t in labels.tolist()], dtype=np.int64)


def cluster_lite(emb: np.ndarray, plan: TopicPlan, config: TopicConfig) -> np.ndarray:
    """Cluster unit-length embeddings directly: no UMAP, so no numba compile."""
    if plan.clustering == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=plan.n_topics, n_init=10, random_state=config.random_state)
    else:
        from sklearn.cluster import AgglomerativeClustering

        # Ward on unit vectors: squared euclidean = 2 - 2 cos, so it merges by cosine.
        model = AgglomerativeClustering(n_clusters=plan.n_topics, linkage="ward")
    # float64: the same arithmetic whatever BLAS path float32 would take.
    return np.asarray(model.fit_predict(emb.astype(np.float64)), dtype=np.int64)
