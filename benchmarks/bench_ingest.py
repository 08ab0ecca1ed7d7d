"""Ingest speed on large and hostile inputs (targets in docs/ingest.md).

* a 10 MB single line (no comment section): must fail fast with a one-line InputError;
* a 10 MB single line inside a comment: must parse (one comment, text intact);
* a large plain browser copy (the seed's comments resampled to N comments): name/text
  split, quote matching against earlier comments and the uncertainty report.

    python benchmarks/bench_ingest.py [--comments 2000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from readerscope.comments import InputError, read_thread

ROOT = Path(__file__).parents[1]


def _timed(label: str, fn) -> None:
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:48s} {time.perf_counter() - t0:7.2f} s  {result}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=2000)
    args = ap.parse_args()
    rows = [
        json.loads(x)
        for x in (ROOT / "tests/fixtures/seed_750057_expected.jsonl").read_text().splitlines()
    ]
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "line.txt").write_bytes(b"word " * 2_000_000)

        def bad() -> str:
            try:
                read_thread(d / "line.txt")
            except InputError as err:
                return str(err)[-40:]
            return "no error?!"

        _timed("10 MB single line, no comments", bad)
        (d / "big_comment.txt").write_text(
            "1 Comments\nLogin to comment\nbob\n" + "blah " * 2_000_000 + "\n", encoding="utf-8"
        )
        _timed(
            "10 MB single line inside a comment",
            lambda: read_thread(d / "big_comment.txt").comments.height,
        )
        chosen = [rng.choice(rows) for _ in range(args.comments)]
        body = "\n".join(
            f"{r['user']}\n"
            + (f'"{r["quoted_text"]}"\n' if r.get("quoted_text") else "")
            + r["text"]
            for r in chosen
        )
        (d / "big.txt").write_text(
            f"{len(chosen)} Comments\nLogin to comment\n{body}\n", encoding="utf-8"
        )
        lines = body.count("\n") + 1
        _timed(
            f"plain copy, {len(chosen)} comments / {lines} lines",
            lambda: read_thread(d / "big.txt").report()[-60:],
        )


if __name__ == "__main__":
    main()
