"""Topics: which themes the thread is about (BERTopic's method, sized for small threads).

Pipeline (BERTopic's): embed each comment (all-MiniLM-L6-v2, cached) -> optionally reduce
(UMAP) -> cluster -> c-TF-IDF top words per topic -> re-rank the words by similarity to the
topic (KeyBERT-inspired) with Maximal Marginal Relevance for variety -> short label.

Why two settings: BERTopic's defaults (UMAP + HDBSCAN, min_topic_size=10) put all 37
comments of a typical thread in the outlier topic -1. So the **size rule**: a corpus of at
most ``small_corpus_max`` non-empty comments is clustered directly on the embeddings with
Ward agglomerative clustering into ``round(sqrt(n))`` topics (no UMAP, no outliers); a
larger one gets BERTopic's defaults-like UMAP + HDBSCAN. Every piece can be overridden.

Why two engines: ``import bertopic`` imports UMAP, whose numba functions compile on the
first import on a machine (~15 s) and cost ~5 s to import after; a 37-comment thread must
not pay that. The ``lite`` engine runs BERTopic's steps for the small path with scikit-learn
only (same c-TF-IDF formula as ``bertopic.vectorizers.ClassTfidfTransformer``; a test checks
that it gives the same topics and c-TF-IDF words as BERTopic itself). The ``bertopic``
engine runs BERTopic itself and is used for UMAP/HDBSCAN (the large path).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..columns import STANCE_LABELS, stance_keys
from ..embeddings import EmbeddingConfig, embed
from ..stance.shares import stance_counts

OUTLIER = -1
OUTLIER_LABEL = "outliers"

TOPIC_TABLE_SCHEMA = {
    "topic": pl.Int32,
    "label": pl.String,
    "size": pl.Int32,
    "top_words": pl.String,
    "representative_ids": pl.String,
}


@dataclass(frozen=True)
class TopicConfig:
    """How to find topics. Defaults follow the size rule (see module docstring).

    ``'auto'`` fields resolve by corpus size n (non-empty comments): n <= small_corpus_max
    gives reduction='none', clustering='agglomerative', engine='lite'; larger gives
    reduction='umap', clustering='hdbscan', engine='bertopic'.
    """

    random_state: int = 42
    small_corpus_max: int = 300
    engine: str = "auto"  # 'lite' (scikit-learn only) | 'bertopic' | 'auto'
    reduction: str = "auto"  # 'none' | 'umap' | 'auto'
    clustering: str = "auto"  # 'agglomerative' (Ward) | 'kmeans' | 'hdbscan' | 'auto'
    n_topics: int | None = None  # agglomerative/kmeans; None: round(sqrt(n)), clamped
    min_auto_topics: int = 2
    max_auto_topics: int = 12
    # UMAP (large path): BERTopic's defaults.
    umap_n_neighbors: int = 15
    umap_n_components: int = 5
    umap_min_dist: float = 0.0
    umap_metric: str = "cosine"
    # HDBSCAN (large path): BERTopic's defaults (min_topic_size=10).
    hdbscan_min_cluster_size: int = 10
    hdbscan_min_samples: int | None = None
    # Vectorizer for c-TF-IDF; fitted on one joined document per topic, as in BERTopic.
    stop_words: str | tuple[str, ...] | None = "english"
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int = 1
    reduce_frequent_words: bool = True  # sqrt of term frequency (BERTopic option)
    representation: str = "keybert"  # 'keybert' (+ MMR) | 'ctfidf'
    n_candidate_words: int = 30  # c-TF-IDF words the KeyBERT step re-ranks
    mmr_diversity: float = 0.3
    top_n_words: int = 10
    label_words: int = 3
    n_representatives: int = 3
    fit_sample_size: int = 50_000  # above this, fit on a seeded sample and assign the rest
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)


@dataclass(frozen=True)
class TopicPlan:
    """The concrete choices ``'auto'`` resolved to for one corpus."""

    path: str  # 'small' | 'large'
    engine: str
    reduction: str
    clustering: str
    n_topics: int | None


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
    return TopicPlan("small" if small else "large", engine, reduction, clustering, n_topics)


@dataclass(frozen=True)
class TopicFit:
    """Topic per document (-1 outlier) and the top words of each topic."""

    topics: np.ndarray
    words: dict[int, list[str]]
    embeddings: np.ndarray
    plan: TopicPlan
    model: object | None = None  # the fitted BERTopic model (bertopic engine only)


def fit_topics(docs: Sequence[str], config: TopicConfig | None = None) -> TopicFit:
    """Topics for non-empty ``docs``; ids 0, 1, ... by decreasing size, -1 for outliers."""
    config = config or TopicConfig()
    docs = list(docs)
    plan = plan_topics(len(docs), config)
    emb = embed(docs, config.embedding) if docs else np.zeros((0, 384), np.float32)
    if len(docs) < 2:
        return TopicFit(np.zeros(len(docs), np.int64), {0: []} if docs else {}, emb, plan)
    if plan.engine == "lite":
        topics = _sort_by_size(_cluster_lite(emb, plan, config))
        words = _topic_words_lite(docs, topics, emb, config)
    else:
        topics, words, model = _fit_bertopic(docs, emb, plan, config)
        return TopicFit(topics, words, emb, plan, model)
    return TopicFit(topics, words, emb, plan)


def add_topics(
    df: pl.DataFrame, config: TopicConfig | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add ``topic`` (Int32, -1 outlier) and ``topic_label``; also return the topic table.

    Topics are found on each comment's own words (``text``); an empty comment gets -1.
    The table has one row per topic (-1 first when present): topic, label, size,
    top_words and representative_ids, both '; '-joined strings so the table writes to CSV.
    """
    config = config or TopicConfig()
    if "text" not in df.columns:
        raise ValueError("add_topics needs a 'text' column (the comment table)")
    texts = df["text"].fill_null("").to_list()
    ids = (
        df["comment_id"].cast(pl.String).to_list()
        if "comment_id" in df.columns
        else [str(i) for i in range(df.height)]
    )
    keep = [i for i, t in enumerate(texts) if t.strip()]
    fit = fit_topics([texts[i] for i in keep], config)
    topic = np.full(len(texts), OUTLIER, dtype=np.int64)
    topic[keep] = fit.topics
    labels = {t: make_label(w, config.label_words) or f"topic {t}" for t, w in fit.words.items()}
    labels[OUTLIER] = OUTLIER_LABEL
    out = df.with_columns(
        pl.Series("topic", topic, dtype=pl.Int32),
        pl.Series("topic_label", [labels[int(t)] for t in topic], dtype=pl.String),
    )
    kept_ids = [ids[i] for i in keep]
    rows = []
    for t in sorted(set(topic.tolist())):
        members = np.flatnonzero(fit.topics == t)
        if t == OUTLIER:
            reps = [ids[i] for i in np.flatnonzero(topic == OUTLIER)[: config.n_representatives]]
        else:
            reps = [kept_ids[i] for i in _representatives(fit.embeddings, members, config)]
        rows.append(
            {
                "topic": t,
                "label": labels[t],
                "size": int((topic == t).sum()),
                "top_words": "; ".join(fit.words.get(t, [])),
                "representative_ids": "; ".join(reps),
            }
        )
    table = pl.DataFrame(rows, schema=TOPIC_TABLE_SCHEMA)
    return out, table


def make_label(words: Sequence[str], n_words: int = 3) -> str:
    """A short label: the first ``n_words`` top words that add something new.

    A word adds nothing when all its tokens were seen, where a token is also seen if it
    extends or is extended by a seen one of 4+ letters ('japan' after 'japanese', 'tariff'
    after 'tariffs'), or when it is a chosen word with spaces removed ('tight rope' after
    'tightrope'). So 'japan china' then 'china japan' gives one label word, not two.
    """
    chosen: list[str] = []
    seen: set[str] = set()

    def is_seen(tok: str) -> bool:
        return any(
            tok == s or (min(len(tok), len(s)) >= 4 and (tok.startswith(s) or s.startswith(tok)))
            for s in seen
        )

    for w in words:
        tokens = w.split()
        squashed = w.replace(" ", "")
        if not tokens or all(is_seen(t) for t in tokens) or squashed in seen:
            continue
        chosen.append(w)
        seen |= {*tokens, squashed}
        if len(chosen) == n_words:
            break
    return ", ".join(chosen)


def topics_by_stance(df: pl.DataFrame) -> pl.DataFrame:
    """Per topic and stance target: counts and shares of each stance, mean sentiment.

    Shares are of the topic's comments with a label for the target (``share_all`` of
    :func:`~readerscope.analysis.stance.shares.stance_counts`; the four labels sum to 1);
    ``mean_sentiment`` is the mean ``sentiment_compound`` of the topic's comments (null if
    that column is absent).
    """
    if "topic" not in df.columns:
        raise ValueError("topics_by_stance needs the 'topic' column (run add_topics first)")
    keys = stance_keys(df)
    if not keys:
        raise ValueError("topics_by_stance needs stance_<target> columns (run add_stance first)")
    label = pl.col("topic_label").first() if "topic_label" in df.columns else pl.lit(None)
    sentiment = (
        pl.col("sentiment_compound").mean()
        if "sentiment_compound" in df.columns
        else pl.lit(None, dtype=pl.Float64)
    )
    per_topic = df.group_by("topic").agg(
        label.alias("topic_label"),
        pl.len().cast(pl.Int32).alias("n_comments"),
        sentiment.cast(pl.Float64).alias("mean_sentiment"),
    )
    long = stance_counts(df, keys, by="topic", labels=STANCE_LABELS)
    wide = long.pivot("stance", index=["topic", "target", "n_total"], values=["count", "share_all"])
    wide = wide.rename(
        {f"count_{v}": v for v in STANCE_LABELS}
        | {f"share_all_{v}": f"share_{v}" for v in STANCE_LABELS}
    ).with_columns(
        pl.col("n_total").cast(pl.Int32).alias("n_with_stance"),
        *(pl.col(v).cast(pl.Int32) for v in STANCE_LABELS),
    )
    first = ["topic", "topic_label", "target", "n_comments", "n_with_stance"]
    rest = [*STANCE_LABELS, *(f"share_{v}" for v in STANCE_LABELS), "mean_sentiment"]
    return wide.join(per_topic, on="topic").select(first + rest).sort("topic", "target")


# --- internals -------------------------------------------------------------------------


def _sort_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0, 1, ... by decreasing size; ties by first appearance (stable)."""
    ids = [t for t in dict.fromkeys(labels.tolist()) if t != OUTLIER]
    sizes = {t: int((labels == t).sum()) for t in ids}
    order = sorted(ids, key=lambda t: -sizes[t])  # sorted() is stable: ties keep first use
    mapping = {old: new for new, old in enumerate(order)}
    mapping[OUTLIER] = OUTLIER
    return np.array([mapping[t] for t in labels.tolist()], dtype=np.int64)


def _cluster_lite(emb: np.ndarray, plan: TopicPlan, config: TopicConfig) -> np.ndarray:
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


_URL = re.compile(r"https?://\S+|www\.\S+")
_POSSESSIVE = re.compile(r"['’]s\b")
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])['’](?=[A-Za-z])")
# Clause punctuation and line ends: a phrase boundary (no bigram across it).
_BOUNDARY = re.compile(r"[.,;:!?()\[\]{}\"“”—–\n\t]+")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9|]+")
# Contractions once apostrophes are gone ("don't" -> "dont"): as empty of topic as "do".
CONTRACTIONS = (
    "dont",
    "doesnt",
    "didnt",
    "isnt",
    "arent",
    "wasnt",
    "werent",
    "cant",
    "couldnt",
    "wont",
    "wouldnt",
    "shouldnt",
    "im",
    "ive",
    "id",
    "youre",
    "youve",
    "theyre",
    "thats",
    "theres",
    "lets",
    "hes",
    "shes",
    "weve",
    "whats",
)
# A token has 2+ characters and starts with a letter: "g7" stays, "12" and "2025" go.
TOKEN_PATTERN = r"(?u)\b[A-Za-z][A-Za-z0-9]+\b"


def _clean(doc: str) -> str:
    """Text for counting words: letters, digits, spaces and '|' at phrase boundaries.

    Unlike BERTopic's ``_preprocess_text`` (which deletes punctuation, so 'Japan-China'
    becomes 'JapanChina' and "Japan's" becomes 'Japans'), in-word punctuation becomes a
    space, possessive 's is dropped, in-word apostrophes are deleted ("don't" -> 'dont'),
    URLs are dropped, and clause punctuation and line ends become '|' so that no bigram
    joins two sentences (or two comments, which are joined with a line end).
    """
    doc = _APOSTROPHE.sub("", _POSSESSIVE.sub("", _URL.sub("\n", doc)))
    doc = _NON_ALNUM.sub(" ", _BOUNDARY.sub(" | ", doc)).strip()
    return doc or "emptydoc"


@dataclass(frozen=True)
class PhraseAnalyzer:
    """Words and n-grams that never span a stop word (as in RAKE/KeyBERT keyphrases).

    scikit-learn removes stop words first and then builds n-grams, so "allies and business
    partners" yields the bigram 'allies business', which no one wrote. Here stop words
    split the text into phrases and n-grams stay inside a phrase.
    """

    stop_words: frozenset[str]
    ngram_range: tuple[int, int]
    token_pattern: str = TOKEN_PATTERN

    def __call__(self, doc: str) -> list[str]:
        lo, hi = self.ngram_range
        grams: list[str] = []
        for phrase in self._phrases(doc.lower()):
            for n in range(lo, hi + 1):
                grams.extend(" ".join(phrase[i : i + n]) for i in range(len(phrase) - n + 1))
        return grams

    def _phrases(self, doc: str) -> list[list[str]]:
        phrases: list[list[str]] = [[]]
        for tok in re.findall(f"{self.token_pattern}|\\|", doc):
            if tok == "|" or tok in self.stop_words:
                if phrases[-1]:
                    phrases.append([])
            else:
                phrases[-1].append(tok)
        return [p for p in phrases if p]


def _stop_words(config: TopicConfig) -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = config.stop_words
    if stop is None:
        return frozenset()
    if stop == "english":  # scikit-learn's list plus contractions
        return frozenset(ENGLISH_STOP_WORDS) | frozenset(CONTRACTIONS)
    if isinstance(stop, str):
        raise ValueError(f"unknown stop_words {stop!r}; use 'english', a list, or None")
    return frozenset(w.lower() for w in stop)  # a TOML config gives a list


def _ends(docs: Sequence[str]) -> list[str]:
    """Each document ends a phrase: BERTopic joins a topic's documents with a space."""
    return [f"{d}\n" for d in docs]


def _vectorizer(config: TopicConfig):
    from sklearn.feature_extraction.text import CountVectorizer

    lo, hi = (int(n) for n in config.ngram_range)
    analyzer = PhraseAnalyzer(_stop_words(config), (lo, hi))
    return CountVectorizer(analyzer=analyzer, min_df=config.min_df)


def c_tf_idf(
    docs: Sequence[str], topics: np.ndarray, config: TopicConfig
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """BERTopic's class-based TF-IDF: (topic ids, matrix topics x words, vocabulary).

    Same steps as BERTopic: documents of a topic are joined into one, counted with the
    vectorizer, then tf (L1-normalised, square-rooted if reduce_frequent_words) times
    idf = log(avg words per topic / word frequency + 1).
    """
    ids = sorted(set(topics.tolist()))
    joined = [" ".join(d for d, t in zip(_ends(docs), topics, strict=True) if t == k) for k in ids]
    vec = _vectorizer(config)
    counts = vec.fit_transform([_clean(d) for d in joined]).toarray().astype(np.float64)
    words = vec.get_feature_names_out()
    freq = counts.sum(axis=0)
    avg = int(counts.sum(axis=1).mean())
    idf = np.log(avg / freq + 1)
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
    if config.reduce_frequent_words:
        tf = np.sqrt(tf)
    return ids, tf * idf, words


def _top_indices(scores: np.ndarray, n: int) -> list[int]:
    """Indices of the n largest positive scores; ties by vocabulary order (stable)."""
    order = np.argsort(-scores, kind="stable")
    return [int(i) for i in order[:n] if scores[i] > 0]


def _topic_words_lite(
    docs: Sequence[str], topics: np.ndarray, emb: np.ndarray, config: TopicConfig
) -> dict[int, list[str]]:
    ids, matrix, vocab = c_tf_idf(docs, topics, config)
    out: dict[int, list[str]] = {}
    for row, t in zip(matrix, ids, strict=True):
        if config.representation == "ctfidf":
            out[t] = [str(vocab[i]) for i in _top_indices(row, config.top_n_words)]
            continue
        cands = [str(vocab[i]) for i in _top_indices(row, config.n_candidate_words)]
        centroid = _unit(emb[topics == t].mean(axis=0))
        out[t] = _keybert_mmr(cands, centroid, config) if cands else []
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 0, norm, 1.0)


def _keybert_mmr(cands: list[str], centroid: np.ndarray, config: TopicConfig) -> list[str]:
    """Re-rank candidate words by similarity to the topic centroid, then pick with MMR.

    Like BERTopic's KeyBERTInspired + MaximalMarginalRelevance, except the topic vector is
    the centroid of all its comments (BERTopic samples up to 5 representative ones).
    """
    wv = _unit(embed(cands, config.embedding).astype(np.float64))
    sims = wv @ centroid.astype(np.float64)
    keep = np.argsort(-sims, kind="stable")[: 2 * config.top_n_words]
    return _mmr(centroid, wv[keep], [cands[i] for i in keep], config)


def _mmr(
    topic_vec: np.ndarray, word_vecs: np.ndarray, words: list[str], config: TopicConfig
) -> list[str]:
    """Maximal Marginal Relevance: relevant to the topic, not redundant with picked words."""
    rel = word_vecs @ topic_vec
    pair = word_vecs @ word_vecs.T
    picked = [int(np.argmax(rel))]
    rest = [i for i in range(len(words)) if i != picked[0]]
    lam = config.mmr_diversity
    while rest and len(picked) < config.top_n_words:
        score = (1 - lam) * rel[rest] - lam * pair[np.ix_(rest, picked)].max(axis=1)
        best = rest[int(np.argmax(score))]
        picked.append(best)
        rest.remove(best)
    return [words[i] for i in picked]


def _representatives(emb: np.ndarray, members: np.ndarray, config: TopicConfig) -> list[int]:
    """Members closest (cosine) to the topic centroid; ties by position."""
    vecs = emb[members].astype(np.float64)
    sims = vecs @ _unit(vecs.mean(axis=0))
    order = np.lexsort((members, -np.round(sims, 6)))
    return [int(members[i]) for i in order[: config.n_representatives]]


def _fit_bertopic(
    docs: list[str], emb: np.ndarray, plan: TopicPlan, config: TopicConfig
) -> tuple[np.ndarray, dict[int, list[str]], object]:
    """Run BERTopic itself. BERTopic works on pandas/numpy inside: lists go in, lists out."""
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer

    emb_config = config.embedding

    class CachedEmbedder(BaseEmbedder):
        """BERTopic's word embeddings (KeyBERT, MMR) through our offline, cached model."""

        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            return embed([str(d) for d in documents], emb_config)

    if plan.reduction == "umap":
        from umap import UMAP

        reducer = UMAP(
            n_neighbors=config.umap_n_neighbors,
            n_components=config.umap_n_components,
            min_dist=config.umap_min_dist,
            metric=config.umap_metric,
            random_state=config.random_state,  # also makes UMAP single-threaded: reproducible
        )
    else:
        reducer = BaseDimensionalityReduction()
    if plan.clustering == "hdbscan":
        from hdbscan import HDBSCAN

        cluster = HDBSCAN(
            min_cluster_size=config.hdbscan_min_cluster_size,
            min_samples=config.hdbscan_min_samples,
            metric="euclidean",
            cluster_selection_method="eom",
            prediction_data=True,
        )
    elif plan.clustering == "kmeans":
        from sklearn.cluster import KMeans

        cluster = KMeans(n_clusters=plan.n_topics, n_init=10, random_state=config.random_state)
    else:
        from sklearn.cluster import AgglomerativeClustering

        cluster = AgglomerativeClustering(n_clusters=plan.n_topics, linkage="ward")
    representation = None
    if config.representation == "keybert":
        representation = [
            KeyBERTInspired(
                top_n_words=2 * config.top_n_words,
                nr_candidate_words=config.n_candidate_words,
                random_state=config.random_state,
            ),
            MaximalMarginalRelevance(
                diversity=config.mmr_diversity, top_n_words=config.top_n_words
            ),
        ]

    class CleanBERTopic(BERTopic):
        """BERTopic counting words on the same cleaned text as the lite engine.

        Overrides BERTopic's private ``_preprocess_text`` (stable since 0.9), which would
        glue 'Japan-China' into 'JapanChina'.
        """

        def _preprocess_text(self, documents) -> list[str]:
            return [_clean(str(d)) for d in documents]

    model = CleanBERTopic(
        embedding_model=CachedEmbedder(),
        umap_model=reducer,
        hdbscan_model=cluster,
        vectorizer_model=_vectorizer(config),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=config.reduce_frequent_words),
        representation_model=representation,
        top_n_words=config.top_n_words,
        calculate_probabilities=False,
        verbose=False,
    )
    n = len(docs)
    word_docs = _ends(docs)  # embeddings are given, so only the word counts see these
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
