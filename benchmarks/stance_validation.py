"""Recompute every stance figure in docs/stance.md on the seed thread.

python benchmarks/stance_validation.py            # rules, baselines, coders, ablation
python benchmarks/stance_validation.py --supervised   # + leave-one-out supervised (~1 min)
python benchmarks/stance_validation.py --bound    # + the VADER cost bound measurement
"""

from __future__ import annotations

import sys
import time

import polars as pl


def bound_measurement() -> pl.DataFrame:
    """Seconds to score texts of growing length: raw VADER vs the bounded scorer."""
    from readerscope.analysis.sentiment.vader import SentimentConfig, _analyzer, score_text

    unit = "China's far from perfect, but the alternative is a man child. I love it! 😀 "
    rows = []
    for n in (1, 25, 100, 400):
        text = unit * n
        t0 = time.perf_counter()
        _analyzer().polarity_scores(text)
        raw = time.perf_counter() - t0
        t0 = time.perf_counter()
        score_text(text, SentimentConfig())
        bounded = time.perf_counter() - t0
        rows.append(
            {"chars": len(text), "raw_vader_s": round(raw, 4), "bounded_s": round(bounded, 4)}
        )
    return pl.DataFrame(rows)


def main() -> None:
    from readerscope.analysis.stance.seed_report import seed_report

    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(160)
    pl.Config.set_float_precision(3)
    pl.Config.set_fmt_str_lengths(60)
    report = seed_report(supervised="--supervised" in sys.argv)
    for name, table in report.items():
        print(f"\n## {name}\n{table}")
    if "--bound" in sys.argv:
        print(f"\n## VADER cost bound\n{bound_measurement()}")


if __name__ == "__main__":
    main()
