"""Reply inference on one long synthetic thread: the indexed code vs the old quadratic scan.

Why: a 23,745-comment thread did not finish in 20 minutes with the old code (every
comment compared with every earlier one, a regex compiled per pair). The thread here
comes from tests/reply_synthetic.py: text from a word-bigram chain with a Zipf
vocabulary, and every cue the rules read (verbatim and typo'd quotes of comments and of
the article, @mentions, "Name," openings, quoted fragments, echo-questions, markers
such as "Agreed", headline echoes, quote headers, given reply_to) next to comments with
no cue. Lexical mode (``use_embeddings=False``): the embedding of a thread is one
batched call whose cost does not depend on this change.

For each size it prints the median wall and CPU seconds of ``--repeat`` runs of the
new code, and of the old code (tests/reply_reference.py, a frozen copy) at the sizes
where it finishes in reasonable time, with the old/new ratio and a check that both gave
the same decisions.

Run: python benchmarks/bench_replies.py [--sizes 1000,5000,20000] [--old-sizes 500,1000]
     [--repeat 3] [--reader-view]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import reply_reference  # the frozen old code: the baseline
from readerscope.analysis.context import StageContext
from readerscope.analysis.replies.inference import ReplyConfig, add_replies
from reply_synthetic import article_and_title, synthetic_thread

CONFIG = ReplyConfig(use_embeddings=False)
COLUMNS = ["comment_id", "reply_to", "reply_method", "reply_confidence"]


def timed(fn: Callable[..., pl.DataFrame], df: pl.DataFrame, repeat: int):
    """(median wall s, median CPU s, last output) of ``repeat`` runs."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn(df, *_inputs(), CONFIG)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="500,1000,5000,20000")
    ap.add_argument("--old-sizes", default="500,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reader-view", action="store_true", help="threads without user names")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    old_sizes = {int(s) for s in args.old_sizes.split(",") if s}
    anonymous = 1.0 if args.reader_view else 0.0
    print(
        f"one thread, lexical mode, {'reader view (no names)' if anonymous else 'named users'}; "
        f"median of {args.repeat}; wall / CPU seconds"
    )
    print(f"{'comments':>9}  {'new wall':>9} {'new cpu':>8}  {'old wall':>9} {'old cpu':>8}  ratio")
    for n in sorted(set(sizes) | old_sizes):
        df = synthetic_thread(n, seed=1, thread_id="big", anonymous=anonymous)
        new_w, new_c, new = timed(_new, df, args.repeat)
        line = f"{n:>9,}  {new_w:>9.2f} {new_c:>8.2f}"
        if n in old_sizes:
            old_w, old_c, old = timed(reply_reference.add_replies, df, args.repeat)
            fixed = reply_reference.add_replies_fixed(df, *_inputs(), CONFIG)
            same = _same(new, fixed, old)
            line += f"  {old_w:>9.2f} {old_c:>8.2f}  {old_w / new_w:5.1f}x  same decisions: {same}"
        edges = new["reply_to"].is_not_null().sum()
        print(f"{line}  ({edges:,} edges)", flush=True)


def _new(df: pl.DataFrame, articles: dict, titles: dict, config: ReplyConfig) -> pl.DataFrame:
    """The live stage, given what the old one took."""
    return add_replies(df, config, context=StageContext(articles=articles, titles=titles))


def _inputs() -> tuple[dict[str, str], dict[str, str]]:
    article, title = article_and_title()
    return {"big": article}, {"big": title}


def _same(new: pl.DataFrame, fixed: pl.DataFrame, old: pl.DataFrame) -> str:
    """Whether the decisions equal the old scan's (with its one fix; without it, how many
    rows the fix changes: anonymous comments' quoted fragments)."""
    a, b, c = (t.select(COLUMNS).rows() for t in (new, fixed, old))
    differ = sum(x != y for x, y in zip(a, b, strict=True))
    by_fix = sum(x != y for x, y in zip(b, c, strict=True))
    return ("yes" if not differ else f"NO ({differ} rows)") + (
        f" (the self-source fix changes {by_fix} rows)" if by_fix else ""
    )


if __name__ == "__main__":
    main()
