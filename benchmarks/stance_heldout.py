"""The SHIPPED zero-shot model on the data it never saw, beside the baselines (same run).

python benchmarks/stance_heldout.py

Held out from zeroshot-v1 (benchmarks/train_stance_zeroshot.py): the corpus group
*policies* (22 targets, all 5 styles) and the ArgQ / Perspectrum test splits (motions
and claims not in training). Writes benchmarks/results/stance_heldout.json.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl
from readerscope.analysis.stance import leaveout as lo
from readerscope.analysis.stance.zeroshot import load_pair_model

RESULTS = Path(__file__).parent / "results"
ROUTES = ("always_against", "vader", "rules", "rules_generic", "lexicon")


def main() -> None:
    corpus, targets = lo.corpus_and_targets()
    enc, _ = load_pair_model()
    rows = []
    policies = corpus.filter(pl.col("group") == "policies")
    gold = policies["label"].to_list()
    t0 = time.perf_counter()
    model, _ = lo.model_labels(enc, policies, targets)
    rate = policies.height / (time.perf_counter() - t0)
    named, _ = lo.model_labels(enc, policies, targets, gate="named")
    methods = {"zeroshot-v1": model, "zeroshot-v1 (gate named)": named}
    methods |= {r: lo.route_labels(policies, r) for r in ROUTES}
    methods["ens_abstain_lexicon"] = lo.abstain(model, methods["lexicon"])
    methods["ens_fill_lexicon"] = lo.fill_in(model, methods["lexicon"])
    for style in (None, *sorted(set(policies["style"].to_list()))):
        idx = [i for i, s in enumerate(policies["style"].to_list()) if style in (None, s)]
        for m, pred in methods.items():
            rows.append(
                {
                    "set": f"policies/{style or 'all'}",
                    "method": m,
                    **lo.score([gold[i] for i in idx], [pred[i] for i in idx]),
                }
            )
    args = lo.argument_sets(lo.PoolConfig())["eval"]
    if args.height:
        pred, _ = lo.model_labels(enc, args, targets)
        for src in ("argq", "perspectrum"):
            idx = [i for i, s in enumerate(args["source"].to_list()) if s == src]
            g = [args["label"][i] for i in idx]
            rows.append(
                {"set": src, "method": "zeroshot-v1", **lo.score(g, [pred[i] for i in idx])}
            )
            rows.append(
                {"set": src, "method": "always_against", **lo.score(g, ["against"] * len(g))}
            )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stance_heldout.json").write_text(
        json.dumps({"pairs_per_s": round(rate, 1), "rows": rows}, indent=1)
    )
    pl.Config.set_tbl_rows(200)
    print(pl.DataFrame(rows).select("set", "method", "n", "favg", "macro_f1", "accuracy"))


if __name__ == "__main__":
    main()
