"""Ensembles of the fold models with scoped VADER, chosen leave-one-fold-out, and
per-phenomenon figures (docs/stance.md).

python benchmarks/stance_ensemble.py [--tag v1]

Reads the per-pair probabilities written by stance_zeroshot.py. The ensemble adds
``w * VADER`` (compound averaged over the sentences naming the target, 0 when none) to
the model's favor / against probabilities; ``w`` for each fold is the one that scores
best on the *other* folds' held-out pairs, so the figure for a fold never saw its pairs
while ``w`` was chosen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
from readerscope.analysis.sentiment.vader import score_text, split_sentences
from readerscope.analysis.stance import leaveout as lo

RESULTS = Path(__file__).parent / "results"
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
LABELS = ("favor", "against", "neutral", "none")


def vader_scoped(corpus: pl.DataFrame, targets) -> dict[str, float]:
    """id -> mean VADER compound of the sentences naming the pair's target (0 if none)."""
    out = {}
    for rid, text, key in corpus.select("id", "text", "target").iter_rows():
        named = [s for s in split_sentences(text) if targets[key].pattern.search(s)]
        out[rid] = float(np.mean([score_text(s)["compound"] for s in named])) if named else 0.0
    return out


def combine(p: np.ndarray, v: np.ndarray, w: float) -> list[str]:
    q = p.copy()
    q[:, 0] += w * np.maximum(v, 0)
    q[:, 1] += w * np.maximum(-v, 0)
    return [LABELS[i] for i in q.argmax(axis=1)]


def favg(gold: list[str], pred: list[str]) -> float:
    return lo.score(gold, pred)["favg"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", default="v1")
    args = ap.parse_args()
    preds = pl.read_parquet(RESULTS / f"stance_zeroshot-{args.tag}.parquet")
    corpus, targets = lo.corpus_and_targets()
    vs = vader_scoped(corpus, targets)
    phen = dict(zip(corpus["id"].to_list(), corpus["phenomena"].to_list(), strict=True))
    out = {}
    for set_name in ("strict", "targets"):
        part = preds.filter(pl.col("set") == set_name)
        folds = part["fold"].unique(maintain_order=True).to_list()
        rows = []
        for f in folds:
            others = part.filter(pl.col("fold") != f)
            po = others.select([f"p_{lab}" for lab in LABELS]).to_numpy()
            vo = np.array([vs[i] for i in others["id"].to_list()])
            go = others["label"].to_list()
            best = max(WEIGHTS, key=lambda w, po=po, vo=vo, go=go: favg(go, combine(po, vo, w)))
            mine = part.filter(pl.col("fold") == f)
            pm = mine.select([f"p_{lab}" for lab in LABELS]).to_numpy()
            vm = np.array([vs[i] for i in mine["id"].to_list()])
            gold = mine["label"].to_list()
            ens = combine(pm, vm, best)
            rows.append(
                {
                    "fold": f,
                    "w": best,
                    "model": lo.score(gold, combine(pm, vm, 0.0))["favg"],
                    "ensemble": lo.score(gold, ens)["favg"],
                }
            )
        out[set_name] = rows
        print(set_name, pl.DataFrame(rows))
    # Per phenomenon on the 'targets' sets (every style of the held-out group).
    part = preds.filter(pl.col("set") == "targets")
    p = part.select([f"p_{lab}" for lab in LABELS]).to_numpy()
    model = [LABELS[i] for i in p.argmax(axis=1)]
    vader = lo.route_labels(
        corpus.filter(pl.col("id").is_in(part["id"].to_list())).sort("id"), "vader"
    )
    vader_by_id = dict(
        zip(
            corpus.filter(pl.col("id").is_in(part["id"].to_list())).sort("id")["id"].to_list(),
            vader,
            strict=True,
        )
    )
    rows = []
    tags = sorted({t for ts in phen.values() for t in ts})
    for tag in tags:
        idx = [i for i, rid in enumerate(part["id"].to_list()) if tag in phen[rid]]
        gold = [part["label"][i] for i in idx]
        rows.append(
            {
                "phenomenon": tag,
                "n": len(idx),
                "model": lo.score(gold, [model[i] for i in idx])["favg"],
                "vader": lo.score(gold, [vader_by_id[part["id"][i]] for i in idx])["favg"],
            }
        )
    out["phenomena"] = rows
    pl.Config.set_tbl_rows(50)
    print(pl.DataFrame(rows))
    (RESULTS / f"stance_ensemble-{args.tag}.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
