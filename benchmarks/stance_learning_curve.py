"""Learning curve of supervised stance v2 (fine-tuning on a researcher's own coding).

python benchmarks/stance_learning_curve.py [--sizes 50,100,200,500,1500] [--scratch]

Both domains are data the shipped zero-shot model never saw:
- policies: the written corpus group held out from the shipped model (22 targets, 4
  labels); split by text (seed 0) into a coding pool (60 %) and a test set (40 %);
- arguments: ArgQ test-split motions and Perspectrum test-split claims, plus distractor
  pairs (label none); split by item into a coding pool and 800 test pairs.
For each size the first n pool pairs (a seeded shuffle) are "coded"; the model is
fine-tuned from the zero-shot model (and, with --scratch, from plain MiniLM) with the
defaults of ``readerscope stance train`` and scored on the test pairs. Size 0 is the
zero-shot model itself. Writes benchmarks/results/stance_learning_curve.json/.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from readerscope.analysis.stance import leaveout as lo
from readerscope.analysis.stance import trained
from readerscope.analysis.stance.devdata import (
    distractors,
    find_dev_data,
    load_argq,
    load_perspectrum,
    model_inputs,
)
from readerscope.analysis.stance.encoder import LABELS, PairEncoder, encoder_from_file, load_delta
from readerscope.analysis.stance.training import cached_features, train_top
from readerscope.analysis.stance.zeroshot import ZEROSHOT_MODEL

RESULTS = Path(__file__).parent / "results"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def domains(seed: int = 0) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """name -> (coding pool in coding order, test pairs)."""
    corpus, _ = lo.corpus_and_targets()
    pol = corpus.filter(pl.col("group") == "policies")
    tids = pol["text_id"].unique().sort().to_list()
    rng = np.random.default_rng(seed)
    test_ids = set(rng.choice(tids, size=int(0.4 * len(tids)), replace=False).tolist())
    out = {
        "policies": (
            pol.filter(~pl.col("text_id").is_in(test_ids)).sample(
                fraction=1.0, seed=seed, shuffle=True
            ),
            pol.filter(pl.col("text_id").is_in(test_ids)),
        )
    }
    dev = find_dev_data()
    if dev is not None:
        args = pl.concat(
            [
                load_argq(dev).filter(pl.col("split") == "test"),
                load_perspectrum(dev).filter(pl.col("split") == "test"),
            ]
        ).sample(fraction=1.0, seed=seed, shuffle=True)
        args = pl.concat([args, distractors(args, fraction=0.1, seed=seed)]).sample(
            fraction=1.0, seed=seed + 1, shuffle=True
        )
        out["arguments"] = (args[400:2900], args[:400])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,100,200,500,1500")
    ap.add_argument("--scratch", action="store_true", help="also fine-tune from plain MiniLM")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    _, targets = lo.corpus_and_targets()
    config = trained.supervised_defaults()
    frozen = PairEncoder(n_frozen=config.n_frozen, max_length=config.max_length)
    zs, _ = encoder_from_file(ZEROSHOT_MODEL)
    rows = []
    for name, (pool, test) in domains().items():
        a_test, b_test = model_inputs(test, targets)
        gold = test["label"].to_list()
        zero = [LABELS[j] for j in zs.proba(a_test, b_test).argmax(axis=1)]
        rows.append(
            {
                "domain": name,
                "start": "zeroshot",
                "seconds": 0.0,
                **lo.score(gold, zero),
                "n_test": len(gold),
                "n": 0,
            }
        )
        log(f"{name}: zero-shot favg {rows[-1]['favg']:.3f} on {len(gold)} test pairs")
        a_pool, b_pool = model_inputs(pool, targets)
        feats = cached_features(frozen, a_pool, b_pool, "/tmp/readerscope-stance", log=log)
        for start in ["zeroshot", *(["scratch"] if args.scratch else [])]:
            for n in sizes:
                if n > pool.height:
                    continue
                t0 = time.perf_counter()
                init = load_delta(ZEROSHOT_MODEL)[0] if start == "zeroshot" else None
                delta = train_top(feats[:n], pool["label"].to_list()[:n], config, init=init)
                seconds = time.perf_counter() - t0
                with tempfile.TemporaryDirectory() as tmp:
                    enc = trained._encoder(delta, config, Path(tmp) / "m.safetensors")
                pred = [LABELS[j] for j in enc.proba(a_test, b_test).argmax(axis=1)]
                rows.append(
                    {
                        "domain": name,
                        "start": start,
                        "seconds": round(seconds, 1),
                        **lo.score(gold, pred),
                    }
                )
                log(f"{name} {start} n={n}: favg {rows[-1]['favg']:.3f} ({seconds:.0f}s)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stance_learning_curve.json").write_text(
        json.dumps({"config": config.as_dict(), "rows": rows}, indent=1)
    )
    table = pl.DataFrame(rows)
    pl.Config.set_tbl_rows(100)
    print(table)
    (RESULTS / "stance_learning_curve.md").write_text(
        "| domain | start | n coded | favg | macro-F1 | accuracy | train s |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(
            f"| {r['domain']} | {r['start']} | {r['n']} | {r['favg']:.3f} "
            f"| {r['macro_f1']:.3f} | {r['accuracy']:.3f} | {r['seconds']} |"
            for r in rows
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
