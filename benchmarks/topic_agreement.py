"""What the fast static embeddings cost in topic quality, measured against MiniLM.

On the same comments (a seeded sample of the synthetic corpus, plus the real seed
thread's comments), topics are fitted twice with identical settings except the
embedding backend; agreement of the two assignments is reported as the adjusted Rand
index (ARI) and normalised mutual information (NMI), over all comments and over the
comments neither run calls an outlier. For scale, the same numbers are given for
MiniLM against MiniLM with another random seed (how much topics move anyway).

    python benchmarks/topic_agreement.py --corpus benchmarks/data/10k --n 3000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import polars as pl
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.topics.model import TopicConfig, add_topics
from readerscope.comments import read_corpus
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

HERE = Path(__file__).resolve().parent


def agreement(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    both = (a >= 0) & (b >= 0)
    return {
        "ari": round(float(adjusted_rand_score(a, b)), 3),
        "nmi": round(float(normalized_mutual_info_score(a, b)), 3),
        "ari_non_outliers": round(float(adjusted_rand_score(a[both], b[both])), 3),
        "nmi_non_outliers": round(float(normalized_mutual_info_score(a[both], b[both])), 3),
        "share_non_outlier_in_both": round(float(both.mean()), 3),
    }


def run(corpus: Path, n: int, seed: int, cache_dir: str) -> dict:
    df = read_corpus([corpus], n_jobs=-1).comments
    df = df.filter(pl.col("text").str.strip_chars() != "").sample(n=min(n, df.height), seed=seed)
    base = TopicConfig(random_state=seed)
    fits = {}
    for name, backend, rs in (
        ("minilm", "minilm", seed),
        ("static", "static", seed),
        ("minilm_reseeded", "minilm", seed + 1),
    ):
        cfg = dataclasses.replace(
            base,
            random_state=rs,
            embedding=EmbeddingConfig(backend=backend, cache_dir=cache_dir),
        )
        t0 = time.perf_counter()
        out, table = add_topics(df, cfg)
        fits[name] = {
            "topics": out["topic"].to_numpy(),
            "seconds": round(time.perf_counter() - t0, 1),
            "n_topics": int((table["topic"] >= 0).sum()),
            "outlier_share": round(float((out["topic"] == -1).mean()), 3),
        }
        print(name, {k: v for k, v in fits[name].items() if k != "topics"}, flush=True)
    return {
        "corpus": str(corpus),
        "n_comments": df.height,
        "seed": seed,
        "fits": {k: {kk: vv for kk, vv in v.items() if kk != "topics"} for k, v in fits.items()},
        "static_vs_minilm": agreement(fits["minilm"]["topics"], fits["static"]["topics"]),
        "minilm_vs_minilm_reseeded": agreement(
            fits["minilm"]["topics"], fits["minilm_reseeded"]["topics"]
        ),
        "note": "seconds include embedding; MiniLM vectors are cached after the first fit",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=HERE / "data" / "10k")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cache-dir", default=".readerscope-cache/embeddings")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "topic_agreement.json")
    args = ap.parse_args()
    result = run(args.corpus, args.n, args.seed, args.cache_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
