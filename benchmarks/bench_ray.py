"""Local engine vs Ray engine on the sample thread replicated to ~20,000 comments.

Each engine runs ``readerscope analyze`` in a fresh process (the Ray run starts its own
local Ray instance, so its start-up is counted), and the two outputs are compared table
by table after sorting by key. Wall seconds are what this measures; on a 2-core shared
machine no speed-up is expected (Ray's own processes compete for the same two cores).

    python benchmarks/bench_ray.py [--comments 20000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "comments" / "samples" / "japantoday_750057.txt"
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
KEYS = {
    "comments": ["comment_id"],
    "sentences": ["comment_id", "sentence_index"],
    "threads": ["thread_id"],
    "topics": ["topic"],
    "conversation": ["comment_id"],
    "users": ["user"],
    "topics_by_stance": ["topic"],
}


def replicated_corpus(n_comments: int) -> Path:
    """Copies of the 37-comment sample thread (one file each) up to ``n_comments``."""
    copies = -(-n_comments // 37)
    folder = DATA / f"sample-x{copies}"
    if not folder.is_dir() or len(list(folder.glob("*.txt"))) != copies:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for i in range(copies):
            (folder / f"jt_{i:05d}.txt").write_bytes(SAMPLE.read_bytes())
    return folder


def run(engine: str, corpus: Path, out: Path, jobs: int) -> float:
    cmd = [sys.executable, "-m", "readerscope", "analyze", str(corpus), "-o", str(out)]
    cmd += ["--engine", engine, "--jobs", str(jobs), "--embeddings", "minilm"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _table(folder: Path, name: str) -> pl.DataFrame:
    parts = folder / name
    if parts.is_dir():
        return pl.read_parquet(sorted(parts.glob("part-*.parquet")))
    return pl.read_parquet(folder / f"{name}.parquet")


def same_tables(a: Path, b: Path) -> dict[str, bool]:
    return {
        name: _table(a, name).sort(key).equals(_table(b, name).sort(key))
        for name, key in KEYS.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--comments", type=int, default=20_000)
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the local engine")
    args = ap.parse_args()
    corpus = replicated_corpus(args.comments)
    outs = {e: DATA / f"out-{e}" for e in ("local", "ray")}
    for out in outs.values():
        shutil.rmtree(out, ignore_errors=True)
    seconds = {e: round(run(e, corpus, out, args.jobs), 1) for e, out in outs.items()}
    comments = _table(outs["local"], "comments").height
    result = {
        "comments": comments,
        "threads": len(list(corpus.glob("*.txt"))),
        "local_jobs": args.jobs,
        "wall_s": seconds,
        "identical": same_tables(outs["ray"], outs["local"]),
        "comment_parts": len(list((outs["ray"] / "comments").glob("part-*.parquet"))),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ray_vs_local.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
