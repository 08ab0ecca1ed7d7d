"""Train the shipped zero-shot stance model (analysis/stance/resources/zeroshot-v1.*).

python benchmarks/train_stance_zeroshot.py [--epochs 2] [--seed 0]

Training data (all read in place; nothing is copied into the repository):
- the written corpus groups countries, persons and organisations (the *policies* group is
  held out, so tests can measure the shipped model on targets it never saw);
- ArgQ 30k train-split motions and Perspectrum train-split claims, sampled with the seed
  (their test splits are held out likewise);
- distractor pairs (texts paired with targets they do not address, label none).
Writes the fp16 weights, a JSON card (settings, seeds, data hashes, timings, versions)
and ZEROSHOT_MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from pathlib import Path

import polars as pl
from readerscope.analysis.stance import leaveout as lo
from readerscope.analysis.stance.devdata import find_dev_data, model_inputs
from readerscope.analysis.stance.encoder import PairEncoder, base_hash, save_delta
from readerscope.analysis.stance.trained import _versions
from readerscope.analysis.stance.training import TrainConfig, cached_features, train_top
from readerscope.analysis.stance.zeroshot import ZEROSHOT_MODEL

HELD_OUT_GROUP = "policies"
NAME = "zeroshot-v1"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-argq", type=int, default=4000)
    ap.add_argument("--n-perspectrum", type=int, default=3000)
    args = ap.parse_args()
    pool_cfg = lo.PoolConfig(n_argq=args.n_argq, n_perspectrum=args.n_perspectrum, seed=args.seed)
    cfg = TrainConfig(epochs=args.epochs, seed=args.seed)
    corpus, targets = lo.corpus_and_targets()
    train_corpus = corpus.filter(pl.col("group") != HELD_OUT_GROUP)
    arguments = lo.argument_sets(pool_cfg)
    pool = lo.training_pool(train_corpus, arguments["train"], pool_cfg)
    log(f"{pool.height} training pairs: {dict(pool['source'].value_counts().iter_rows())}")
    frozen = PairEncoder(n_frozen=cfg.n_frozen, max_length=cfg.max_length)
    a, b = model_inputs(pool, targets)
    feats = cached_features(frozen, a, b, "/tmp/readerscope-stance", log=log)
    t0 = time.perf_counter()
    delta = train_top(
        feats, pool["label"].to_list(), cfg, weights=pool["weight"].to_list(), log=log
    )
    seconds = time.perf_counter() - t0
    meta = {
        "name": NAME,
        "n_frozen": cfg.n_frozen,
        "max_length": cfg.max_length,
        "base_hash": base_hash(),
    }
    save_delta(ZEROSHOT_MODEL, delta, meta)
    dev = find_dev_data()
    pairs_hash = hashlib.sha256(
        "\n".join(
            sorted(
                f"{x}\x1f{y}\x1f{z}"
                for x, y, z in pool.select("text", "target_text", "label").iter_rows()
            )
        ).encode()
    ).hexdigest()
    card = {
        "name": NAME,
        "weights_sha256": file_sha(ZEROSHOT_MODEL),
        "train_config": cfg.as_dict(),
        "pool_config": dataclasses.asdict(pool_cfg),
        "held_out": {
            "corpus_group": HELD_OUT_GROUP,
            "argq": "test split",
            "perspectrum": "test split",
        },
        "n_pairs": pool.height,
        "by_source": dict(pool["source"].value_counts().sort("source").iter_rows()),
        "by_label": dict(pool["label"].value_counts().sort("label").iter_rows()),
        "training_pairs_sha256": pairs_hash,
        "source_files_sha256": {
            "argq": file_sha(dev / "ibm_argq_30k" / "arg_quality_rank_30k.csv") if dev else None,
            "perspectrum": file_sha(dev / "perspectrum" / "perspectrum_with_answers_v1.0.json")
            if dev
            else None,
            **{
                g: file_sha(lo.CORPUS_DIR / g / "items.jsonl")
                for g in ("countries", "persons", "organisations")
            },
        },
        "train_seconds": round(seconds, 1),
        "base_model_sha256_16": base_hash(),
        "versions": _versions(),
    }
    ZEROSHOT_MODEL.with_suffix(".json").write_text(json.dumps(card, indent=1))
    log(f"wrote {ZEROSHOT_MODEL} ({ZEROSHOT_MODEL.stat().st_size / 1e6:.1f} MB) in {seconds:.0f}s")


if __name__ == "__main__":
    main()
