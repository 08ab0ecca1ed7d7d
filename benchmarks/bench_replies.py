"""Time reply inference on synthetic threads of growing size (lexical mode, no model).

Each synthetic comment is a random prefix of a seed comment with its words shuffled:
every comment shares vocabulary with every other, the worst case for the quote index
(real threads share far less). Cost grows roughly quadratically with thread length,
since every comment can quote or answer any earlier one.

Run: python benchmarks/bench_replies.py [sizes ...]   (default: 100 300 1000)
"""

from __future__ import annotations

import random
import sys
import time

import polars as pl
from readerscope.analysis.replies.inference import ReplyConfig, add_replies
from readerscope.comments import read_thread
from readerscope.comments.schema import conform


def synthetic_thread(n: int, seed: int = 0) -> pl.DataFrame:
    base = read_thread().comments["text"].to_list()
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        words = rng.choice(base).split()[: rng.randint(5, 60)]
        rng.shuffle(words)
        rows.append(
            {
                "thread_id": "big",
                "comment_id": f"big-c{i}",
                "position": i,
                "user": f"u{rng.randint(0, n // 5)}",
                "text": " ".join(words),
            }
        )
    return conform(pl.DataFrame(rows))


def main(sizes: list[int]) -> None:
    article = read_thread().article_text
    for n in sizes:
        df = synthetic_thread(n)
        t0 = time.perf_counter()
        out = add_replies(df, {"big": article}, None, ReplyConfig(use_embeddings=False))
        dt = time.perf_counter() - t0
        edges = out["reply_to"].is_not_null().sum()
        print(f"{n:>6} comments  {dt:6.2f} s  {edges} edges")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 300, 1000])
