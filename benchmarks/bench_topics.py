"""Time the topic stage on the built-in sample thread, each case in a fresh process.

Cases: empty embedding cache (loads torch and the model), warm cache (the small path
should then import neither torch nor BERTopic/UMAP), and ``import bertopic`` alone.
Target: the warm small path well under the 5 s budget of ``readerscope summary``.

Run: python benchmarks/bench_topics.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

CASE = """
import json, sys, time
t0 = time.perf_counter()
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.topics.model import TopicConfig, add_topics
from readerscope.comments import read_thread
df = read_thread().comments
t1 = time.perf_counter()
out, table = add_topics(df, TopicConfig(embedding=EmbeddingConfig(cache_dir=sys.argv[1])))
t2 = time.perf_counter()
print(json.dumps({"imports_and_read_s": round(t1 - t0, 2), "add_topics_s": round(t2 - t1, 2),
                  "topics": table.height, "loaded": sorted(
                      m for m in ("torch", "bertopic", "umap", "hdbscan", "numba")
                      if m in sys.modules)}))
"""

IMPORT_BERTOPIC = (
    "import time; t = time.perf_counter(); import bertopic; print(time.perf_counter() - t)"
)


def _run(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        print("cold cache:", _run(CASE, cache))
        print("warm cache:", _run(CASE, cache))
    print("import bertopic:", json.dumps({"s": round(float(_run(IMPORT_BERTOPIC)), 2)}))


if __name__ == "__main__":
    main()
