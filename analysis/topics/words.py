"""Topic words: BERTopic's c-TF-IDF on cleaned text, KeyBERT-style re-ranking with MMR,
and short labels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..embeddings import EmbeddingConfig, embed
from .config import TopicConfig

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


def clean(doc: str) -> str:
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


def stop_words(config: TopicConfig) -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = config.stop_words
    if stop is None:
        return frozenset()
    if stop == "english":  # scikit-learn's list plus contractions
        return frozenset(ENGLISH_STOP_WORDS) | frozenset(CONTRACTIONS)
    if isinstance(stop, str):
        raise ValueError(f"unknown stop_words {stop!r}; use 'english', a list, or None")
    return frozenset(w.lower() for w in stop)  # a TOML config gives a list


def ends(docs: Sequence[str]) -> list[str]:
    """Each document ends a phrase: BERTopic joins a topic's documents with a space."""
    return [f"{d}\n" for d in docs]


def vectorizer(config: TopicConfig):
    from sklearn.feature_extraction.text import CountVectorizer

    lo, hi = (int(n) for n in config.ngram_range)
    analyzer = PhraseAnalyzer(stop_words(config), (lo, hi))
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
    joined = [" ".join(d for d, t in zip(ends(docs), topics, strict=True) if t == k) for k in ids]
    vec = vectorizer(config)
    counts = vec.fit_transform([clean(d) for d in joined]).toarray().astype(np.float64)
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


def topic_words_lite(
    docs: Sequence[str],
    topics: np.ndarray,
    emb: np.ndarray,
    config: TopicConfig,
    embedding: EmbeddingConfig,
) -> dict[int, list[str]]:
    """Top words per topic: c-TF-IDF candidates re-ranked KeyBERT-style with MMR."""
    ids, matrix, vocab = c_tf_idf(docs, topics, config)
    out: dict[int, list[str]] = {}
    for row, t in zip(matrix, ids, strict=True):
        if config.representation == "ctfidf":
            out[t] = [str(vocab[i]) for i in _top_indices(row, config.top_n_words)]
            continue
        cands = [str(vocab[i]) for i in _top_indices(row, config.n_candidate_words)]
        centroid = unit(emb[topics == t].mean(axis=0))
        out[t] = _keybert_mmr(cands, centroid, config, embedding) if cands else []
    return out


def unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 0, norm, 1.0)


def _keybert_mmr(
    cands: list[str], centroid: np.ndarray, config: TopicConfig, embedding: EmbeddingConfig
) -> list[str]:
    """Re-rank candidate words by similarity to the topic centroid, then pick with MMR.

    Like BERTopic's KeyBERTInspired + MaximalMarginalRelevance, except the topic vector is
    the centroid of all its comments (BERTopic samples up to 5 representative ones).
    """
    wv = unit(embed(cands, embedding).astype(np.float64))
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


def representatives(emb: np.ndarray, members: np.ndarray, n: int) -> list[int]:
    """Members closest (cosine) to the topic centroid; ties by position."""
    vecs = emb[members].astype(np.float64)
    sims = vecs @ unit(vecs.mean(axis=0))
    order = np.lexsort((members, -np.round(sims, 6)))
    return [int(members[i]) for i in order[:n]]


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
