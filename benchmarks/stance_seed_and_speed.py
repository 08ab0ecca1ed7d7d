"""Seed-thread TEST figures and inference throughput of the zero-shot stance model.

python benchmarks/stance_seed_and_speed.py

The seed thread (comments/samples/japantoday_750057.txt, reference coding
analysis/resources/reference_coding.csv) is a test thread: nothing was tuned on it.
Throughput is measured on this machine (2 cores, shared): numpy inference (what the
stage uses) and the same network in torch, in (comment, target) pairs/s and comments/s
with the 3 default targets; plus a cold ``add_zeroshot_stance`` on the 37 comments in a
fresh interpreter. Writes benchmarks/results/stance_seed_and_speed.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

RESULTS = Path(__file__).parent / "results"


def seed_figures() -> list[dict]:
    from readerscope.analysis.context import StageContext
    from readerscope.analysis.stance import agreement, baselines, coding
    from readerscope.analysis.stance.rules import RuleConfig, add_rule_stance
    from readerscope.analysis.stance.targets import load_targets
    from readerscope.analysis.stance.zeroshot import ZeroShotConfig, add_zeroshot_stance
    from readerscope.comments import read_thread

    t = read_thread()
    targets = load_targets()
    ref = coding.reference_coding(t.comments, targets)

    ctx = StageContext(articles={t.thread_id: t.article_text or ""})

    methods = {
        "zeroshot (gate all)": add_zeroshot_stance(t.comments, context=ctx),
        "zeroshot (gate named)": add_zeroshot_stance(
            t.comments, ZeroShotConfig(gate="named"), context=ctx
        ),
        "rules (in-sample: written on this thread)": add_rule_stance(
            t.comments, RuleConfig(use_seed_cues=True), targets=targets, context=ctx
        ),
        "rules, generic lexicon only": add_rule_stance(
            t.comments, RuleConfig(use_seed_cues=False), targets=targets, context=ctx
        ),
        "baseline: always against": baselines.baseline_always(t.comments, targets),
        "baseline: VADER on target sentences": baselines.baseline_vader(t.comments, targets),
    }
    rows = []
    for name, pred in methods.items():
        table = agreement.agreement_table(ref, pred, targets, name=name)
        rows += table.to_dicts()
    return rows


def throughput(n: int = 100) -> dict:
    import torch
    from readerscope.analysis.stance.devdata import load_corpus
    from readerscope.analysis.stance.encoder import load_delta
    from readerscope.analysis.stance.targets import load_targets
    from readerscope.analysis.stance.training import TrainConfig, _torch_net
    from readerscope.analysis.stance.zeroshot import (
        ZEROSHOT_MODEL,
        load_pair_model,
        pair_proba,
    )

    texts = load_corpus(("countries",))["text"].unique(maintain_order=True).to_list()[:n]
    targets = load_targets()
    enc, _ = load_pair_model()
    t0 = time.perf_counter()
    pair_proba(enc, texts, targets)
    numpy_s = time.perf_counter() - t0
    first = [tg.name for _ in texts for tg in targets]
    second = [x for x in texts for _ in targets]
    toks = enc.tokenize(first, second)
    init = dict(load_delta(ZEROSHOT_MODEL)[0])
    from readerscope.analysis.stance.encoder import _base_weights

    net = _torch_net({**_base_weights(), **init}, TrainConfig(n_frozen=0)).eval()
    t0 = time.perf_counter()
    with torch.inference_mode():
        for s in range(0, len(toks), 64):
            chunk = toks[s : s + 64]
            p = enc.embed(chunk)
            n_max = max(p.lens)
            x = np.zeros((len(chunk), n_max, 384), np.float32)
            m = np.zeros((len(chunk), n_max), bool)
            for j, (a, b) in enumerate(zip(p.starts[:-1], p.starts[1:], strict=True)):
                x[j, : b - a], m[j, : b - a] = p.x[a:b], True
            net(torch.from_numpy(x), torch.from_numpy(m))
    torch_s = time.perf_counter() - t0
    pairs = len(texts) * len(targets)
    cold = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t=time.perf_counter();"
            "from readerscope.comments import read_thread;"
            "from readerscope.analysis.stance.zeroshot import add_zeroshot_stance;"
            "add_zeroshot_stance(read_thread().comments);"
            "print(time.perf_counter()-t)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "texts": len(texts),
        "targets": len(targets),
        "mean_tokens": float(np.mean([len(t[0]) for t in toks])),
        "numpy_pairs_per_s": round(pairs / numpy_s, 1),
        "numpy_comments_per_s": round(len(texts) / numpy_s, 1),
        "torch_pairs_per_s": round(pairs / torch_s, 1),
        "torch_comments_per_s": round(len(texts) / torch_s, 1),
        "torch_threads": torch.get_num_threads(),
        "cold_seed_thread_s": round(float(cold.stdout.strip().splitlines()[-1]), 2),
    }


def main() -> None:
    rows = seed_figures()
    speed = throughput()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stance_seed_and_speed.json").write_text(
        json.dumps({"seed_test": rows, "throughput": speed}, indent=1)
    )
    pl.Config.set_tbl_rows(100)
    pl.Config.set_fmt_str_lengths(50)
    print(pl.DataFrame(rows))
    print(speed)


if __name__ == "__main__":
    main()
