"""Rule stance against VADER sentiment per comment, on the same comments in one run.

The issue's target: the rule method at least as fast as VADER per comment, with
identical labels. Measured here on one core, in one process:

- ``vader``: readerscope's sentiment stage (VADER with bounded cost), the baseline;
- ``rules``: the rule method as shipped (cue index: cues whose words are absent from a
  sentence are skipped);
- ``rules, full scan``: the same rules with ``use_cue_index=False`` (every cue pattern on
  every clause), i.e. the method before the index; the labels are checked equal.

Texts: the 37 seed comments plus the written stance corpus (2,885 distinct texts in five
styles), and distinct comments of the synthetic benchmark corpus (``benchmarks/data/10k``,
built by ``run.py``; short template text).
Median of ``--repeats`` timings each. Prints a table with ratios to VADER.

    python benchmarks/bench_rules.py [--repeats 3] [--out benchmarks/results/bench_rules.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import polars as pl
from readerscope.analysis.sentiment.vader import SentimentConfig, add_sentiment
from readerscope.analysis.stance.rules import RuleConfig, add_rule_stance
from readerscope.analysis.stance.targets import load_targets
from readerscope.comments import read_corpus, read_thread

HERE = Path(__file__).resolve().parent


def _frames(synthetic: int) -> dict[str, pl.DataFrame]:
    """Distinct texts only: the stages score a repeated text once, so repeats would time
    a lookup, not the method."""
    texts = read_thread().comments["text"].to_list()
    for items in sorted((HERE / "stance_corpus").glob("*/items.jsonl")):
        texts += [json.loads(x)["text"] for x in items.read_text(encoding="utf-8").splitlines()]
    texts = list(dict.fromkeys(texts))
    n = len(texts)
    frames = {
        f"seed thread + written stance corpus ({n:,} distinct texts)": pl.DataFrame(
            {
                "thread_id": [f"t{i // 50}" for i in range(n)],
                "comment_id": [f"c{i}" for i in range(n)],
                "position": [i % 50 + 1 for i in range(n)],
                "text": texts,
            }
        )
    }
    data = HERE / "data" / "10k"
    if data.is_dir():
        corpus = read_corpus([data]).comments.unique("text", keep="first", maintain_order=True)
        corpus = corpus.head(synthetic)
        frames[f"synthetic corpus ({corpus.height:,} distinct comments)"] = corpus.select(
            "thread_id", "comment_id", "position", "text"
        )
    return frames


def _median_seconds(fn, repeats: int) -> tuple[float, pl.DataFrame]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=5_000)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "bench_rules.json")
    args = ap.parse_args()
    targets = load_targets(None)
    rows = []
    for name, df in _frames(args.synthetic).items():
        add_rule_stance(df.head(50), RuleConfig(), targets=targets)  # warm-up: lexicon, regexes
        add_sentiment(df.head(50), SentimentConfig())
        vader, _ = _median_seconds(lambda df=df: add_sentiment(df, SentimentConfig()), args.repeats)
        fast_s, fast = _median_seconds(
            lambda df=df: add_rule_stance(df, RuleConfig(), targets=targets), args.repeats
        )
        full_s, full = _median_seconds(
            lambda df=df: add_rule_stance(df, RuleConfig(use_cue_index=False), targets=targets),
            args.repeats,
        )
        rows.append(
            {
                "texts": name,
                "comments": df.height,
                "vader_s": round(vader, 3),
                "rules_s": round(fast_s, 3),
                "rules_full_scan_s": round(full_s, 3),
                "rules_over_vader": round(fast_s / vader, 2),
                "full_scan_over_vader": round(full_s / vader, 2),
                "same_labels": fast.equals(full),
            }
        )
    print("| texts | VADER s | rules s | rules / VADER | full scan s | full scan / VADER | same |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['texts']} | {r['vader_s']:.2f} | {r['rules_s']:.2f} | "
            f"{r['rules_over_vader']:.2f}x | {r['rules_full_scan_s']:.2f} | "
            f"{r['full_scan_over_vader']:.2f}x | {r['same_labels']} |"
        )
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
