"""Topic quality against known labels: IBM ArgQ 30k, 30,497 arguments on 71 motions.

Each argument belongs to one motion ("We should end the use of economic sanctions"), so
a good topic model puts arguments of one motion together. Reported per method, on the
same arguments and embeddings in one run: topics found, outlier share, NMI and ARI of
topics against motions (over all arguments, outliers as one cluster, and over the
non-outliers), and seconds.

Methods:
- ``bertopic-defaults``: BERTopic with its defaults (UMAP 15/5, HDBSCAN min size 10, no
  topic reduction), on the same MiniLM vectors: the baseline;
- ``readerscope``: readerscope's large-corpus path (UMAP + HDBSCAN, merged to at most
  ``max_topics`` = 50 topics), MiniLM vectors;
- ``readerscope-static``: the same with the static (model2vec) vectors used above
  20,000 comments.

Data: ../shared/data/stance_dev/ibm_argq_30k (CC BY-SA 3.0, IBM); read in place, never
copied. Run (about 10-20 minutes on 2 cores, most of it MiniLM encoding and UMAP):

    python benchmarks/topic_quality.py [--n 30497] [--out benchmarks/results/topic_quality.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl
from readerscope.analysis.context import StageContext
from readerscope.analysis.embeddings import EmbeddingConfig, embed
from readerscope.analysis.topics import OUTLIER, TopicConfig, fit_topic_model
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

HERE = Path(__file__).resolve().parent
ARGQ = HERE.parent.parent / "shared" / "data" / "stance_dev" / "ibm_argq_30k"


def load_argq(n: int, seed: int) -> pl.DataFrame:
    """comment_id, text, motion for ``n`` arguments (a seeded sample when n < all)."""
    df = pl.read_csv(ARGQ / "arg_quality_rank_30k.csv").select(
        pl.col("argument").alias("text"), pl.col("topic").alias("motion")
    )
    if n < df.height:
        df = df.sample(n=n, seed=seed)
    return df.with_row_index("i").select(
        pl.format("argq-{}", "i").alias("comment_id"), "text", "motion"
    )


def scores(topics: np.ndarray, motions: np.ndarray) -> dict[str, float]:
    keep = topics != OUTLIER
    real = topics[keep]
    return {
        "topics": len(set(real.tolist())),
        "outlier_share": round(float(1 - keep.mean()), 3),
        "nmi": round(float(normalized_mutual_info_score(motions, topics)), 3),
        "ari": round(float(adjusted_rand_score(motions, topics)), 3),
        "nmi_non_outliers": round(float(normalized_mutual_info_score(motions[keep], real)), 3),
        "ari_non_outliers": round(float(adjusted_rand_score(motions[keep], real)), 3),
    }


def bertopic_defaults(texts: list[str], emb: np.ndarray, seed: int) -> np.ndarray:
    """BERTopic as a new user runs it (defaults), given the same vectors."""
    from bertopic import BERTopic
    from umap import UMAP

    umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    topics, _ = BERTopic(umap_model=umap, calculate_probabilities=False).fit_transform(texts, emb)
    return np.asarray(topics)


def ours(df: pl.DataFrame, backend: str, seed: int, cache: str | None) -> np.ndarray:
    context = StageContext(embedding=EmbeddingConfig(backend=backend, cache_dir=cache))
    model = fit_topic_model(df, TopicConfig(random_state=seed), context=context)
    return model.assigned


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30_497)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cache-dir", default=None, help="embedding cache (default: user cache)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "topic_quality.json")
    args = ap.parse_args()
    df = load_argq(args.n, args.seed)
    motions = df["motion"].to_numpy()
    texts = df["text"].to_list()
    rows = []
    t0 = time.perf_counter()
    emb = embed(texts, EmbeddingConfig(backend="minilm", cache_dir=args.cache_dir))
    encode_s = time.perf_counter() - t0
    runs = {
        "bertopic-defaults": lambda: bertopic_defaults(texts, emb, args.seed),
        "readerscope": lambda: ours(df, "minilm", args.seed, args.cache_dir),
        "readerscope-static": lambda: ours(df, "static", args.seed, args.cache_dir),
    }
    for name, fit in runs.items():
        t0 = time.perf_counter()
        topics = fit()
        row = {
            "method": name,
            "seconds": round(time.perf_counter() - t0, 1),
            **scores(topics, motions),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    result = {"n": df.height, "motions": int(df["motion"].n_unique()), "seed": args.seed,
              "minilm_encode_seconds": round(encode_s, 1), "rows": rows}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
