"""ONNX Runtime vs the numpy MiniLM (issue 14): equal outputs? faster cold and warm?

python benchmarks/bench_onnx.py [--cache DIR] [--n-args 500] [--cold-runs 3]

Exports the bundled all-MiniLM-L6-v2 (BERT + mean pooling + L2 normalisation, as
sentence-transformers' modules.json chains them) once to ONNX with torch (CPU, legacy
TorchScript exporter), plus an int8 dynamically quantized copy, into ``--cache`` (default:
a temporary directory), keyed by the sha256 of model.safetensors, written atomically.

Texts: the 37 comments of the built-in sample thread plus the first ``--n-args`` dev-set
arguments of IBM-ArgQ-30k (read from /work/shared/data/stance_dev, never copied here).
Measures, against sentence-transformers as the reference: max |diff| per element and min
cosine for numpy, ONNX fp32 (one text per run, the backend's default), ONNX fp32 batched
(equal-length texts, up to 64 per run) and ONNX int8; whether a vector changes when its text
is encoded alone; throughput at 1 thread; cold start (fresh interpreter: import + load +
encode 37 texts, each backend as shipped) for numpy vs ONNX fp32; export and quantization
time. Writes benchmarks/results/bench_onnx.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from readerscope.analysis.embeddings import minilm_onnx as mo

RESULTS = Path(__file__).parent / "results"
ARGQ = Path("/work/shared/data/stance_dev/ibm_argq_30k/arg_quality_rank_30k.csv")
FP32_TOL = 1e-5
"""Equal outputs: max |diff| per element vs sentence-transformers at most this (numpy
measures ~3e-7; 1e-5 still leaves every cosine >= 0.99999)."""


def bench_texts(n_args: int) -> list[str]:
    """Seed comments, then the first ``n_args`` ArgQ dev arguments (fixed file order)."""
    from readerscope.comments import read_thread

    texts = list(read_thread().comments["text"])
    with ARGQ.open(newline="", encoding="utf-8") as fh:
        dev = [row["argument"] for row in csv.DictReader(fh) if row["set"] == "dev"]
    return texts + dev[:n_args]


def export_models(model_dir: Path, cache: Path) -> dict:
    """fp32 (the backend's own export) and int8 ONNX files in ``cache``, with build times."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    t0 = time.perf_counter()
    mo.weights_digest(model_dir, cache)
    t1 = time.perf_counter()
    fp32 = mo.onnx_model_file(cache, model_dir)
    t2 = time.perf_counter()
    int8 = fp32.with_name(fp32.stem + "-int8.onnx")
    if not int8.exists():
        mo._atomic_write(
            lambda tmp: quantize_dynamic(fp32, tmp, weight_type=QuantType.QInt8, per_channel=True),
            int8,
        )
    t3 = time.perf_counter()
    return {
        "fp32": str(fp32),
        "int8": str(int8),
        "sha256_s": round(t1 - t0, 2),
        "export_s": round(t2 - t1, 2),
        "quantize_s": round(t3 - t2, 2),
        "fp32_mb": round(fp32.stat().st_size / 1e6, 1),
        "int8_mb": round(int8.stat().st_size / 1e6, 1),
    }


def _error(vecs: np.ndarray, ref: np.ndarray) -> dict:
    cos = (vecs * ref).sum(1) / np.linalg.norm(vecs, axis=1) / np.linalg.norm(ref, axis=1)
    return {"max_abs_diff": float(np.abs(vecs - ref).max()), "min_cosine": float(cos.min())}


def _best_rate(encode: Callable[[list[str]], np.ndarray], texts: list[str], reps: int) -> dict:
    """Best of ``reps`` timed passes over all texts, after one warm-up on a few."""
    encode(texts[:8])
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        encode(texts)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    best = min(range(reps), key=walls.__getitem__)
    return {
        "wall_s": round(walls[best], 3),
        "cpu_s": round(cpus[best], 3),
        "texts_per_s": round(len(texts) / walls[best], 1),
    }


def _encoders(texts: list[str], models: dict, model_dir: Path) -> tuple[dict, np.ndarray]:
    """The encoders to compare (ONNX sessions at 1 thread) and the reference vectors."""
    from readerscope.analysis.embeddings.minilm import load_minilm
    from readerscope.analysis.embeddings.minilm_numpy import load_minilm_numpy

    st = load_minilm("cpu")

    def st_encode(t: Sequence[str]) -> np.ndarray:
        return st.encode(list(t), batch_size=64, show_progress_bar=False, normalize_embeddings=True)

    encoders = {
        "numpy": load_minilm_numpy().encode,
        "onnx-fp32": mo.MiniLMOnnx(models["fp32"], model_dir).encode,  # the backend's
        "onnx-fp32-batched": mo.MiniLMOnnx(models["fp32"], model_dir, max_batch=64).encode,
        "onnx-int8": mo.MiniLMOnnx(models["int8"], model_dir).encode,
        "sentence-transformers": st_encode,
    }
    return encoders, st_encode(texts)


def accuracy_and_speed(texts: list[str], models: dict, model_dir: Path, reps: int) -> dict:
    """Errors vs sentence-transformers and throughput at 1 thread; does a vector change
    when its text is encoded alone?"""
    import torch
    from threadpoolctl import threadpool_limits

    encoders, ref = _encoders(texts, models, model_dir)
    out: dict = {}
    torch.set_num_threads(1)
    with threadpool_limits(1):
        for name, enc in encoders.items():
            out[name] = _error(enc(texts), ref) | {"loadavg_1min": os.getloadavg()[0]}
            out[name] |= _best_rate(enc, texts, reps)
    for name in ("numpy", "onnx-fp32", "onnx-fp32-batched"):
        enc = encoders[name]
        alone = np.concatenate([enc([t]) for t in texts[:37]])
        out[name]["alone_vs_batched_max_diff"] = float(np.abs(alone - enc(texts[:37])).max())
    return out


COLD = {
    "numpy": """
from readerscope.analysis.embeddings.minilm_numpy import load_minilm_numpy
t1 = time.perf_counter()
enc = load_minilm_numpy()
""",
    "onnx-fp32": """
import onnxruntime
from readerscope.analysis.embeddings import minilm_onnx as mo
t1 = time.perf_counter()
enc = mo.load_minilm_onnx(Path(sys.argv[1]))
""",
}
COLD_TAIL = """
t2 = time.perf_counter()
enc.encode(TEXTS)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "encode_s": t3 - t2,
                  "total_s": t3 - t0, "torch": "torch" in sys.modules}))
"""


def cold_start(texts: list[str], export_dir: str, runs: int) -> dict:
    """Fresh interpreters, numpy and onnx alternating, each backend as shipped (both on one
    thread); median of ``runs`` each."""
    head = (
        "import json, sys, time\nfrom pathlib import Path\n"
        f"TEXTS = {json.dumps(texts)}\nt0 = time.perf_counter()\n"
    )
    raw: dict[str, list[dict]] = {k: [] for k in COLD}
    for _ in range(runs):
        for name, body in COLD.items():
            args = [sys.executable, "-c", head + body + COLD_TAIL, export_dir]
            done = subprocess.run(args, capture_output=True, text=True, check=True)
            raw[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    out: dict = {}
    for name, rows in raw.items():
        out[name] = {
            k: round(statistics.median(r[k] for r in rows), 3)
            for k in ("import_s", "load_s", "encode_s", "total_s")
        }
        out[name] |= {"total_s_all": [round(r["total_s"], 3) for r in rows]}
        out[name] |= {"imported_torch": any(r["torch"] for r in rows)}
    return out


def print_table(res: dict) -> None:
    """Markdown table, ratios against the numpy baseline."""
    speed, cold = res["accuracy_and_speed"], res["cold_start"]
    base, c0 = speed["numpy"]["texts_per_s"], cold["numpy"]["total_s"]
    print(f"\n{res['n_texts']} texts; 'equal' means max |diff| <= {FP32_TOL:g} per element")
    print(
        "| encoder | max abs diff | min cosine | alone vs batched | texts/s, 1 thread | x numpy"
        " | cold, 37 texts | x numpy |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in speed.items():
        alone = r.get("alone_vs_batched_max_diff")
        row = [name, f"{r['max_abs_diff']:.1e}", f"{r['min_cosine']:.7f}"]
        row.append("-" if alone is None else f"{alone:.1e}")
        row += [str(r["texts_per_s"]), f"{r['texts_per_s'] / base:.2f}"]
        c = cold.get(name)
        row += [f"{c['total_s']:.2f} s", f"{c['total_s'] / c0:.2f}"] if c else ["-", "-"]
        print("| " + " | ".join(row) + " |")
    for name, c in cold.items():
        print(f"cold {name}: {c}")
    print("export:", res["export"])


def main() -> None:
    from readerscope.analysis.embeddings.minilm import minilm_path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=None, help="ONNX cache dir (default: a tempdir)")
    ap.add_argument("--n-args", type=int, default=500)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--cold-runs", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model_dir = minilm_path()
    texts = bench_texts(args.n_args)
    with tempfile.TemporaryDirectory() as tmp:
        res: dict = {"n_texts": len(texts), "fp32_tolerance": FP32_TOL, "cpus": os.cpu_count()}
        res["loadavg_start"] = os.getloadavg()
        res["export"] = export_models(model_dir, Path(args.cache or tmp))
        export_dir = str(Path(res["export"]["fp32"]).parent)
        res["cold_start"] = cold_start(texts[:37], export_dir, args.cold_runs)
        res["accuracy_and_speed"] = accuracy_and_speed(texts, res["export"], model_dir, args.reps)
        res["loadavg_end"] = os.getloadavg()
    res["export"] = {k: v for k, v in res["export"].items() if k not in ("fp32", "int8")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_onnx.json").write_text(json.dumps(res, indent=2) + "\n")
    print_table(res)


if __name__ == "__main__":
    main()
