"""Leave-targets-out figures for the zero-shot stance routes (docs/stance.md).

python benchmarks/stance_zeroshot.py [--folds countries,persons] [--epochs 1.5] [--tag NAME]
    [--unmasked] [--n-frozen 4]

Per fold (held-out corpus group x held-out style, see analysis/stance/leaveout.py) a
pair model is trained from scratch (seed 0) on the other groups' other-style items plus
ArgQ/Perspectrum train-split samples, and measured with the baselines and the rules on
the same held-out pairs. Writes benchmarks/results/stance_zeroshot[-TAG].json/.md and the
per-pair predictions (.parquet). Frozen features are cached in /tmp/readerscope-stance.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from readerscope.analysis.stance import leaveout as lo
from readerscope.analysis.stance.devdata import model_inputs
from readerscope.analysis.stance.encoder import PairEncoder, encoder_from_file, save_delta
from readerscope.analysis.stance.training import TrainConfig, cached_features, train_top

RESULTS = Path(__file__).parent / "results"
CACHE = "/tmp/readerscope-stance"
ROUTES = ("always_against", "vader", "rules", "rules_generic", "lexicon")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def train_fold(pool: pl.DataFrame, targets, config: TrainConfig, unmasked: bool):
    """Train one fold's model; returns the encoder loaded back from its fp16 file."""
    frozen = PairEncoder(n_frozen=config.n_frozen, max_length=config.max_length)
    if unmasked:
        pool = pool.with_columns(pl.lit(False).alias("entity"))
    a, b = model_inputs(pool, targets)
    feats = cached_features(frozen, a, b, CACHE, log=log)
    t0 = time.perf_counter()
    delta = train_top(
        feats, pool["label"].to_list(), config, weights=pool["weight"].to_list(), log=log
    )
    seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = save_delta(
            Path(tmp) / "fold.safetensors",
            delta,
            {"n_frozen": config.n_frozen, "max_length": config.max_length, "name": "fold"},
        )
        enc, _ = encoder_from_file(path)
    return enc, seconds


def evaluate(enc, sets: dict[str, pl.DataFrame], targets, routes: dict[str, list[str]], fold: str):
    """Rows of the results table, and per-pair predictions."""
    rows, preds = [], []
    for name, df in sets.items():
        if df.height == 0:
            continue
        t0 = time.perf_counter()
        model, proba = lo.model_labels(enc, df, targets)
        rate = df.height / (time.perf_counter() - t0)
        gold = df["label"].to_list()
        methods = {"model": model}
        if name != "arguments":
            named, _ = lo.model_labels(enc, df, targets, gate="named")
            methods["model_gate_named"] = named
            idx = [routes["_index"][i] for i in df["id"].to_list()]
            for r in ROUTES:
                methods[r] = [routes[r][i] for i in idx]
            methods["ens_abstain_lexicon"] = lo.abstain(model, methods["lexicon"])
            methods["ens_abstain_rules"] = lo.abstain(model, methods["rules_generic"])
            methods["ens_fill_lexicon"] = lo.fill_in(model, methods["lexicon"])
        else:
            methods["always_against"] = ["against"] * df.height
        for m, pred in methods.items():
            rows.append({"fold": fold, "set": name, "method": m, **lo.score(gold, pred)})
        preds.append(
            df.select("id", "label", "group", "style").with_columns(
                pl.lit(fold).alias("fold"),
                pl.lit(name).alias("set"),
                *[
                    pl.Series(f"p_{lab}", proba[:, k])
                    for k, lab in enumerate(("favor", "against", "neutral", "none"))
                ],
            )
        )
        log(f"{fold}/{name}: model favg {rows[-len(methods)]['favg']:.3f} ({rate:.0f} pairs/s)")
    return rows, preds


def save(args, cfg, pool_cfg, timings, rows, preds) -> None:
    """Write the results so far (json: table rows + settings; parquet: per-pair probs)."""
    tag = f"-{args.tag}" if args.tag else ""
    RESULTS.mkdir(exist_ok=True)
    pl.concat(preds).write_parquet(RESULTS / f"stance_zeroshot{tag}.parquet")
    meta = {
        "argv": sys.argv[1:],
        "train_config": cfg.as_dict(),
        "pool_config": dataclasses.asdict(pool_cfg),
        "timings": timings,
        "unmasked": args.unmasked,
    }
    (RESULTS / f"stance_zeroshot{tag}.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=1)
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", default=",".join(g for g, _ in lo.FOLDS))
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--n-frozen", type=int, default=4)
    ap.add_argument("--n-argq", type=int, default=2000)
    ap.add_argument("--n-perspectrum", type=int, default=1500)
    ap.add_argument("--unmasked", action="store_true")
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    pool_cfg = lo.PoolConfig(n_argq=args.n_argq, n_perspectrum=args.n_perspectrum)
    cfg = TrainConfig(epochs=args.epochs, n_frozen=args.n_frozen)
    corpus, targets = lo.corpus_and_targets()
    arguments = lo.argument_sets(pool_cfg)
    t0 = time.perf_counter()
    routes = {r: lo.route_labels(corpus, r) for r in ROUTES}
    routes["_index"] = {rid: i for i, rid in enumerate(corpus["id"].to_list())}
    log(f"routes on {corpus.height} corpus pairs in {time.perf_counter() - t0:.0f}s")
    rows, preds, timings = [], [], {}
    for group, style in lo.FOLDS:
        if group not in args.folds.split(","):
            continue
        split = lo.fold_split(corpus, group, style)
        pool = lo.training_pool(split["train"], arguments["train"], pool_cfg)
        log(f"fold {group}/{style}: {pool.height} training pairs")
        enc, seconds = train_fold(pool, targets, cfg, args.unmasked)
        timings[group] = {"train_pairs": pool.height, "train_seconds": round(seconds, 1)}
        sets = {
            "strict": split["strict"],
            "targets": split["targets"],
            "arguments": arguments["eval"],
        }
        r, p = evaluate(enc, sets, targets, routes, f"{group}/{style}")
        rows += r
        preds += p
        save(args, cfg, pool_cfg, timings, rows, preds)  # after every fold: folds are slow
    table = pl.DataFrame(rows)
    summary = (
        table.group_by("set", "method", maintain_order=True)
        .agg(pl.col("favg").mean().round(3).alias("mean_favg"), pl.col("n").sum())
        .sort("set", "mean_favg", descending=[False, True])
    )
    pl.Config.set_tbl_rows(200)
    print(summary)
    print(table.filter(pl.col("method").is_in(["model", "vader", "rules", "always_against"])))
    _ = np


if __name__ == "__main__":
    main()
