"""Discourse networks on a 3,000-user corpus: the old all-pairs networks vs the bounded ones.

Why: the congruence and conflict networks used to link every pair of users on the same
side of a target (a 20,000-comment corpus of 3,001 users gave 4.1 million congruence
edges, a 774 MB GEXF and a 10.9 GB memory peak). This script builds a corpus of the same
shape (200 threads, 20,000 comments, about 3,000 users, stance columns stance_us /
stance_china / stance_japan with favor/against/neutral/none, replies to earlier
comments), then in fresh processes, so each peak RSS is its own:

* ``old``: the old pair loop (frozen below) + ``write_networks`` (CSV, GraphML, GEXF);
* ``new``: ``build_networks`` with the default bound (``NetworkConfig()``) + the same writer;
* ``new-unbounded`` (``--unbounded``): ``NetworkConfig(top_k=None)``, the old edges computed
  with polars joins, files not written (they are the old ones).

It prints seconds (edges, files), peak RSS, edge counts and file sizes per network.

Run: python benchmarks/bench_networks.py [--repeat 3] [--old-timeout 1800] [--unbounded]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import polars as pl

TARGETS = ("us", "china", "japan")
# Per target and comment; most comments take no position on a given country.
LABELS = (("none", 0.4), ("neutral", 0.2), ("favor", 0.2), ("against", 0.2))


def make_corpus(
    n_comments: int = 20_000, n_threads: int = 200, n_users: int = 3_000
) -> pl.DataFrame:
    """A seeded comment table with users, replies and stance labels (no text needed)."""
    rng = random.Random(20_000)
    labels, weights = zip(*LABELS, strict=True)
    rows: dict[str, list] = {"thread_id": [], "comment_id": [], "position": [], "user": []}
    rows["reply_to"] = []
    per_thread = n_comments // n_threads
    for t in range(n_threads):
        for k in range(1, per_thread + 1):
            rows["thread_id"].append(f"t{t}")
            rows["comment_id"].append(f"t{t}-c{k}")
            rows["position"].append(k)
            rows["user"].append(f"user{rng.randrange(n_users):04d}")
            answers = k > 1 and rng.random() < 0.4
            rows["reply_to"].append(f"t{t}-c{rng.randrange(1, k)}" if answers else None)
    n = len(rows["user"])
    for target in TARGETS:
        rows[f"stance_{target}"] = rng.choices(labels, weights, k=n)
    return pl.DataFrame(rows)


def old_pair_edges(df: pl.DataFrame, same: bool) -> pl.DataFrame:
    """The congruence/conflict code before the bound (analysis/replies/networks.py)."""
    from readerscope.analysis.replies.networks import _positions

    by_user: dict[str, set[tuple[str, str]]] = {}
    for user, target, stance, _ in _positions(df).iter_rows():
        by_user.setdefault(user, set()).add((target, stance))
    out = []
    for a, b in combinations(sorted(by_user), 2):
        if same:
            labels = [f"{t}:{s}" for t, s in sorted(by_user[a] & by_user[b])]
        else:
            flip = {"favor": "against", "against": "favor"}
            labels = sorted({t for t, s in by_user[a] if (t, flip[s]) in by_user[b]})
        if labels:
            out.append(
                {"source": a, "target": b, "weight": len(labels), "targets": ",".join(labels)}
            )
    schema = {"source": pl.String, "target": pl.String, "weight": pl.Int64, "targets": pl.String}
    return pl.DataFrame(out, schema=schema)


def run_variant(variant: str, corpus: Path, out: Path) -> dict:
    """Build (and write) one variant's networks in this process; figures as a dict."""
    from readerscope.analysis.replies import networks as nw

    df = pl.read_parquet(corpus)
    t0 = time.perf_counter()
    if variant == "old":
        nets = nw.Networks(
            reply=nw.reply_edges(df),
            affiliation=nw.affiliation_edges(df),
            congruence=old_pair_edges(df, True),
            conflict=old_pair_edges(df, False),
        )
    else:
        cfg = nw.NetworkConfig(top_k=None) if variant == "new-unbounded" else nw.NetworkConfig()
        nets = nw.build_networks(df, cfg)
    t_edges = time.perf_counter() - t0
    t_write = None
    if variant != "new-unbounded":
        t0 = time.perf_counter()
        nw.write_networks(nets, out)
        t_write = time.perf_counter() - t0
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*"))} if out.exists() else {}
    return {
        "variant": variant,
        "users": df["user"].n_unique(),
        "edges_s": t_edges,
        "write_s": t_write,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "edges": {k: getattr(nets, k).height for k in nw.NETWORKS},
        "files_mb": {k: v / 1e6 for k, v in sizes.items()},
        "bound": nets.bound if variant != "old" else None,
    }


def spawn(variant: str, corpus: Path, out: Path, timeout: float) -> dict | None:
    """``run_variant`` in a fresh interpreter (own peak RSS); None if it ran out of time."""
    cmd = [sys.executable, __file__, "--child", variant, str(corpus), str(out)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else None


def report(name: str, runs: list[dict]) -> None:
    first = runs[0]
    total_mb = sum(first["files_mb"].values())
    write = _median(runs, "write_s")
    print(
        f"{name:<14} edges {_median(runs, 'edges_s'):8.2f} s  write "
        + (f"{write:8.2f} s" if write is not None else "       - s")
        + f"  peak RSS {_median(runs, 'peak_rss_mb'):7.0f} MB  files {total_mb:8.1f} MB"
        + f"  (median of {len(runs)})"
    )
    for net, n in first["edges"].items():
        files = {k: v for k, v in first["files_mb"].items() if k.startswith(net)}
        sizes = "  ".join(f"{k} {v:.2f} MB" for k, v in files.items())
        print(f"    {net:<12} {n:>10,} edges  {sizes}")
    if first["bound"]:
        print(f"    bound: {json.dumps(first['bound'])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of the new code (median)")
    ap.add_argument("--old-repeat", type=int, default=1, help="runs of the old code")
    ap.add_argument(
        "--old-timeout", type=float, default=1800, help="seconds before the old run is cut"
    )
    ap.add_argument("--unbounded", action="store_true", help="also time NetworkConfig(top_k=None)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        variant, corpus, out = args.child
        print(json.dumps(run_variant(variant, Path(corpus), Path(out))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.parquet"
        df = make_corpus()
        df.write_parquet(corpus)
        print(
            f"corpus: {df.height:,} comments, {df['thread_id'].n_unique()} threads, "
            f"{df['user'].n_unique():,} users, targets {', '.join(TARGETS)}"
        )
        plan = [("new", args.repeat), ("old", args.old_repeat)]
        if args.unbounded:
            plan.insert(1, ("new-unbounded", args.repeat))
        for variant, repeat in plan:
            runs = []
            for k in range(repeat):
                limit = args.old_timeout if variant == "old" else 3600
                got = spawn(variant, corpus, Path(tmp) / f"{variant}-{k}", limit)
                if got is None:
                    print(f"{variant:<14} did not finish in {limit:.0f} s")
                    break
                runs.append(got)
            if runs:
                report(variant, runs)


if __name__ == "__main__":
    main()
