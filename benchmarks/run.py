"""Scale benchmark: time every readerscope stage on synthetic corpora, beside baselines.

One command::

    python benchmarks/run.py --sizes 10k,100k,1M

For each size it builds the corpus (benchmarks/make_corpus.py, cached under
benchmarks/data/), then runs, each in a fresh subprocess so peak memory is its own:

* ``readerscope``: parse (files over all cores), sentiment and stance (batched over
  all cores), embeddings (cold: empty cache; backend 'auto' = MiniLM up to 20k
  comments, static above), embeddings again (warm: from the cache), topics (BERTopic
  path; fit on a sample above ``fit_sample_size``), the headline figure (stance
  distribution, PNG). Peak RSS is recorded after every stage for the main process
  and for the worker processes (``RUSAGE_CHILDREN``: the largest finished worker).
* baselines measured in the same run: the plain vaderSentiment loop on one core,
  sentence-transformers MiniLM ``encode`` and BERTopic with default settings (MiniLM
  embeddings, UMAP, HDBSCAN). MiniLM and BERTopic run on a subsample (and vader above
  ``--vader-cap`` comments) and are extrapolated linearly to the corpus size; the table
  marks them ``~``. Linear extrapolation is a *lower bound* for BERTopic (UMAP's
  nearest-neighbour search and HDBSCAN grow faster than linearly).

Also measured once: ``python -m readerscope summary`` on the built-in sample thread, cold
(new process, empty embedding cache).

Results: benchmarks/results/<size>.json and benchmarks/results/results.md (the table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_corpus import make_corpus, parse_size  # noqa: E402

RESULTS = HERE / "results"
DATA = HERE / "data"


def _status_kb(pid: int | str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> list[str]:
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            continue
    return pids


class MemSampler(threading.Thread):
    """Samples worker memory every 0.2 s (Linux /proc).

    Why not ``RUSAGE_CHILDREN``: a spawned worker is forked before it execs, and Linux
    keeps the forked copy's RSS (the parent's size) as the child's ``ru_maxrss``, so a
    2 GB parent reports 2 GB workers. ``VmHWM`` starts afresh at exec.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.worker_peak_kb = 0
        self.total_peak_kb = 0

    def run(self) -> None:
        while True:
            kids = _children()
            hwm = max((_status_kb(k, "VmHWM") for k in kids), default=0)
            total = _status_kb("self", "VmRSS") + sum(_status_kb(k, "VmRSS") for k in kids)
            self.worker_peak_kb = max(self.worker_peak_kb, hwm)
            self.total_peak_kb = max(self.total_peak_kb, total)
            time.sleep(0.2)


_SAMPLER: MemSampler | None = None


def _rss_mb() -> dict[str, float]:
    """Peak RSS so far (MB): this process, its largest worker, and all of them together
    (sampled; the main process's own peak is exact, from ``ru_maxrss``)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"peak_rss_mb": round(own, 1)}
    if _SAMPLER is not None:
        out["peak_worker_rss_mb"] = round(_SAMPLER.worker_peak_kb / 1024, 1)
        out["peak_total_rss_mb"] = round(max(_SAMPLER.total_peak_kb / 1024, own), 1)
    else:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out["peak_worker_rss_mb"] = round(kids, 1)
    return out


class Timer:
    """Collects (stage, seconds, peak memory) rows; saves them after every stage.

    Saving as it goes means a run stopped part-way (e.g. the 1M corpus at a deadline)
    still reports the stages it finished.
    """

    def __init__(self, partial: str | None = None) -> None:
        self.rows: list[dict] = []
        self.partial = partial

    def run(self, stage: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.record(stage, time.perf_counter() - t0)
        return out

    def record(self, stage: str, secs: float) -> None:
        self.rows.append({"stage": stage, "seconds": round(secs, 3), **_rss_mb()})
        print(f"  {stage:<22} {secs:9.2f} s  {self.rows[-1]}", flush=True)
        if self.partial:
            Path(self.partial).write_text(json.dumps({"stages": self.rows, "partial": True}))


# --------------------------------------------------------------------------- children


class StageClock:
    """The pipeline's progress callback: each message starts a stage, ends the last one.

    So the stage rows are the real ``analyze`` run's own steps, not a re-implementation.
    """

    def __init__(self, timer: Timer, first: str) -> None:
        self.timer, self.stage, self.t0 = timer, first, time.perf_counter()

    def __call__(self, next_stage: str) -> None:
        self.timer.record(self.stage, time.perf_counter() - self.t0)
        self.stage, self.t0 = next_stage, time.perf_counter()


def _folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def child_readerscope(args: argparse.Namespace) -> dict:
    """What ``readerscope analyze CORPUS -o OUT --jobs N`` does, every stage on, timed."""
    import polars as pl
    from readerscope.analysis.config import config_from_dict
    from readerscope.analysis.embeddings import resolve_backend
    from readerscope.analysis.outputs import write_result
    from readerscope.analysis.pipeline import analyze
    from readerscope.comments import read_corpus
    from readerscope.comments.pool import resolve_jobs

    timer = Timer(args.partial)
    n_jobs = resolve_jobs(args.n_jobs)
    cache_dir = tempfile.mkdtemp(prefix="rs-bench-emb-")  # cold: an empty embedding cache
    config = config_from_dict(
        {
            "run": {"n_jobs": n_jobs, "batch_size": args.batch_size},
            "embedding": {"backend": args.backend, "cache_dir": cache_dir},
        }
    )
    t_start = time.perf_counter()
    corpus = timer.run("parse", lambda: read_corpus([args.corpus], n_jobs=n_jobs))
    pl.DataFrame({"text": corpus.comments["text"]}).write_parquet(args.texts)  # for baselines
    clock = StageClock(timer, "setup")
    result = analyze(corpus, config, progress=clock)
    clock("writing")
    out = Path(args.workdir) / "out"
    written = write_result(result, out)
    clock("done")

    def headline() -> None:
        from readerscope.figures.stance import stance_distribution

        stance_distribution(result.comments).savefig(Path(args.workdir) / "headline.png", dpi=150)

    timer.run("headline figure", headline)
    wall = time.perf_counter() - t_start
    shutil.rmtree(cache_dir, ignore_errors=True)
    df = result.comments
    return {
        "n_comments": df.height,
        "n_threads": result.threads.height,
        "n_users": df["user"].n_unique(),
        "n_jobs": n_jobs,
        "stance_choice": result.stance_choice,
        "embedding_backend": resolve_backend(config.embedding, df.height),
        "n_topics": int((result.topics["topic"] >= 0).sum()) if result.topics.height else 0,
        "outlier_share": round(float((df["topic"] == -1).mean()), 4),
        "files_written": len(written),
        "output_mb": _folder_mb(out),
        "end_to_end_s": round(wall, 2),
        "stages": timer.rows,
        "polars_threads": pl.thread_pool_size(),
    }


def _texts(args: argparse.Namespace) -> list[str]:
    import polars as pl

    return pl.read_parquet(args.texts)["text"].fill_null("").to_list()


def child_vader(args: argparse.Namespace) -> dict:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = _texts(args)
    sample = texts[: args.cap]
    analyzer = SentimentIntensityAnalyzer()
    t0 = time.perf_counter()
    for t in sample:
        analyzer.polarity_scores(t)
    secs = time.perf_counter() - t0
    return {"measured_n": len(sample), "measured_s": secs, "n": len(texts), **_rss_mb()}


def child_minilm(args: argparse.Namespace) -> dict:
    from readerscope.analysis.embeddings.minilm import load_minilm

    texts = _texts(args)
    sample = texts[: args.cap]
    model = load_minilm()
    model.encode(sample[:32])  # warm-up (thread pools, first-call allocations)
    t0 = time.perf_counter()
    model.encode(sample, batch_size=32, show_progress_bar=False)
    secs = time.perf_counter() - t0
    return {"measured_n": len(sample), "measured_s": secs, "n": len(texts), **_rss_mb()}


def child_bertopic(args: argparse.Namespace) -> dict:
    from bertopic import BERTopic
    from readerscope.analysis.embeddings.minilm import load_minilm

    texts = _texts(args)
    sample = texts[: args.cap]
    model = load_minilm()
    t0 = time.perf_counter()
    # Default settings; the embedding model is passed as an object only because the
    # default would be fetched from the Hugging Face hub (no network here).
    topics, _ = BERTopic(embedding_model=model).fit_transform(sample)
    secs = time.perf_counter() - t0
    return {
        "measured_n": len(sample),
        "measured_s": secs,
        "n": len(texts),
        "n_topics": len(set(topics) - {-1}),
        **_rss_mb(),
    }


def child_summary(args: argparse.Namespace) -> dict:
    """Cold `readerscope summary` on the sample: a new interpreter, empty caches."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "readerscope", "summary"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
        )
        secs = time.perf_counter() - t0
    return {
        "seconds": round(secs, 3),
        "returncode": proc.returncode,
        "stderr_tail": proc.stderr[-400:],
        **_rss_mb(),
    }


CHILDREN = {
    "readerscope": child_readerscope,
    "vader": child_vader,
    "minilm": child_minilm,
    "bertopic": child_bertopic,
    "summary": child_summary,
}


def spawn(kind: str, extra: list[str], timeout: float | None = None) -> dict:
    """Run one child in a fresh interpreter; its JSON result or an error record."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    cmd = [sys.executable, str(Path(__file__)), "--child", kind, "--json", out, *extra]
    print(f"[{kind}] {' '.join(extra)}", flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, timeout=timeout)
        ok = proc.returncode == 0
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if not ok:
        return {"error": f"exit code {proc.returncode}", "wall_s": time.perf_counter() - t0}
    result = json.loads(Path(out).read_text())
    os.unlink(out)
    result["wall_s"] = round(time.perf_counter() - t0, 2)
    return result


# ------------------------------------------------------------------------------ table


def _mem(row: dict) -> str:
    """'main / worker / all' MB; peaks so far (rows are cumulative)."""
    total = row.get("peak_total_rss_mb")
    text = f"{row['peak_rss_mb']:,.0f} / {row['peak_worker_rss_mb']:,.0f}"
    return text + (f" / {total:,.0f}" if total is not None else " / n/a")


def _extrapolated(b: dict) -> float | None:
    if not b or "error" in b or not b.get("measured_n"):
        return None
    return b["measured_s"] * b["n"] / b["measured_n"]


def _fmt_s(s: float | None, approx: bool = False) -> str:
    if s is None:
        return "n/a"
    text = f"{s:,.1f}" if s < 1000 else f"{s:,.0f}"
    return ("~" if approx else "") + text


def table(size_label: str, res: dict) -> str:
    rs = res["readerscope"]
    if "error" in rs:
        return f"### {size_label}: readerscope run failed ({rs['error']})\n"
    stages = {r["stage"]: r for r in rs["stages"]}
    base = res.get("baselines", {})
    vader, minilm, bt = (base.get(k, {}) for k in ("vader", "minilm", "bertopic"))
    pairs = {
        "sentiment and stance": ("vaderSentiment loop (sentiment only), 1 core", vader),
        "topics": ("BERTopic defaults (MiniLM+UMAP+HDBSCAN)", bt),
    }
    lines = [
        f"### {size_label}: {rs['n_comments']:,} comments, {rs['n_threads']:,} threads, "
        f"{rs.get('n_users', 0):,} users (n_jobs={rs['n_jobs']}, stance: "
        f"{rs.get('stance_choice')}, embeddings: {rs['embedding_backend']}, "
        f"{rs['n_topics']} topics, {rs['outlier_share']:.0%} outliers; "
        f"{rs.get('files_written', 0)} files, {rs.get('output_mb', 0):,} MB written)",
        "",
        "| stage | readerscope s | peak RSS main / worker / all MB | baseline | baseline s "
        "| speed-up |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for name, row in stages.items():
        label, b = pairs.get(name, ("", {}))
        b_s = _extrapolated(b)
        approx = bool(b) and b.get("measured_n", 0) < b.get("n", 0)
        ours = row["seconds"]
        speed = f"{b_s / ours:,.1f}x" if b_s and ours > 0 else ""
        lines.append(
            f"| {name} | {ours:,.2f} | {_mem(row)}"
            f" | {label} | {_fmt_s(b_s, approx) if label else ''} | {speed} |"
        )
    e2e = rs.get("end_to_end_s") or sum(r["seconds"] for r in rs["stages"])
    last = rs["stages"][-1]
    lines.append(f"| **end to end** (analyze + figure) | **{e2e:,.1f}** | {_mem(last)} | | | |")
    peak = last.get("peak_total_rss_mb") or last["peak_rss_mb"]
    n = rs["n_comments"]
    budget = (
        f"{e2e:,.0f} s = {e2e / 360:.2f}x the 6-minute budget"
        if n >= 1_000_000
        else (
            f"linear projection to 1M: {e2e * 1e6 / n:,.0f} s = {e2e * 1e6 / n / 360:.1f}x the "
            "6-minute budget (only indicative: the embedding backend changes with size)"
        )
    )
    lines += ["", f"Against the 1M targets: {budget}; peak RSS {peak / 2048:.2f}x the 2 GB."]
    notes = []
    for name, b in (("vader", vader), ("MiniLM", minilm), ("BERTopic", bt)):
        if b and "error" not in b:
            notes.append(
                f"{name} baseline measured on {b['measured_n']:,} comments in "
                f"{b['measured_s']:.1f} s ({b['measured_n'] / b['measured_s']:,.0f}/s), "
                f"peak RSS {b['peak_rss_mb']:,.0f} MB"
            )
        elif b:
            notes.append(f"{name} baseline: {b['error']}")
    lines += ["", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)


def write_report(results: Path, sizes: list[str]) -> Path:
    """results.md from saved runs; a size whose run did not finish shows its finished stages."""
    sections, summary, when = [], None, []
    for label in sizes:
        full, part = results / f"{label}.json", results / f"{label}.partial.json"
        if full.exists():
            res = json.loads(full.read_text())
            summary = summary or res.get("summary_cold")
            when.append(res.get("started", ""))
            sections.append(table(label, res))
        elif part.exists():
            stages = json.loads(part.read_text())["stages"]
            rows = [f"| {r['stage']} | {r['seconds']:,.2f} | {_mem(r)} |" for r in stages]
            sections.append(
                "\n".join(
                    [
                        f"### {label}: run did not finish; stages completed so far",
                        "",
                        "| stage | readerscope s | peak RSS main / worker / all MB |",
                        "|---|---:|---:|",
                        *rows,
                        "",
                    ]
                )
            )
        else:
            sections.append(f"### {label}: not run\n")
    head = [
        "# readerscope scale benchmark",
        "",
        f"Machine: {machine()}; runs started " + ", ".join(w for w in when if w),
        "",
    ]
    if summary:
        ok = "ok" if summary.get("returncode") == 0 else f"FAILED rc={summary.get('returncode')}"
        head += [
            f"Cold `python -m readerscope summary` on the sample thread: "
            f"{summary.get('seconds', 'n/a')} s ({ok}; target < 5 s).",
            "",
        ]
    out = results / "results.md"
    out.write_text("\n".join(head + sections))
    return out


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="readerscope scale benchmark")
    ap.add_argument("--sizes", default="10k", help="comma-separated, e.g. 10k,100k,1M")
    ap.add_argument("--n-jobs", type=int, default=-1, help="worker processes (-1: all cores)")
    ap.add_argument("--batch-size", type=int, default=20_000)
    ap.add_argument("--backend", default="auto", help="embedding backend: auto|minilm|static")
    ap.add_argument("--fit-sample-size", type=int, default=50_000)
    ap.add_argument("--vader-cap", type=int, default=200_000)
    ap.add_argument("--minilm-cap", type=int, default=1_000)
    ap.add_argument("--bertopic-cap", type=int, default=2_000)
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument(
        "--report",
        action="store_true",
        help="only rebuild results.md from the saved results/<size>.json (and .partial.json)",
    )
    ap.add_argument("--no-summary", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--results", type=Path, default=RESULTS)
    # internal: run one measurement in this (fresh) process
    ap.add_argument("--child", choices=sorted(CHILDREN))
    ap.add_argument("--json")
    ap.add_argument("--corpus")
    ap.add_argument("--texts")
    ap.add_argument("--workdir")
    ap.add_argument("--cap", type=int, default=0)
    ap.add_argument("--partial", help="file the readerscope child updates after each stage")
    args = ap.parse_args()

    if args.child:
        global _SAMPLER
        _SAMPLER = MemSampler()
        _SAMPLER.start()
        result = CHILDREN[args.child](args)
        Path(args.json).write_text(json.dumps(result))
        return

    if args.report:
        write_report(args.results, [s.strip() for s in args.sizes.split(",") if s.strip()])
        return

    args.results.mkdir(parents=True, exist_ok=True)
    common = ["--n-jobs", str(args.n_jobs), "--batch-size", str(args.batch_size)]
    summary = None if args.no_summary else spawn("summary", [])
    sections = []
    for label in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        n = parse_size(label)
        corpus = args.data / label
        if not (corpus / ".complete").exists():
            print(f"building corpus {corpus} ({n:,} comments)", flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
            info = make_corpus(corpus, n)
            (corpus / ".complete").write_text(json.dumps(info))
        work = Path(tempfile.mkdtemp(prefix=f"rs-bench-{label}-"))
        texts = work / "texts.parquet"
        res: dict = {"size": label, "machine": machine(), "started": time.strftime("%FT%TZ")}
        res["readerscope"] = spawn(
            "readerscope",
            [
                "--corpus",
                str(corpus),
                "--texts",
                str(texts),
                "--workdir",
                str(work),
                "--backend",
                args.backend,
                "--fit-sample-size",
                str(args.fit_sample_size),
                "--partial",
                str(args.results / f"{label}.partial.json"),
                *common,
            ],
        )
        if not args.no_baselines and texts.exists():
            res["baselines"] = {
                kind: spawn(kind, ["--texts", str(texts), "--cap", str(cap)])
                for kind, cap in (
                    ("vader", args.vader_cap),
                    ("minilm", args.minilm_cap),
                    ("bertopic", args.bertopic_cap),
                )
            }
        res["summary_cold"] = summary
        (args.results / f"{label}.json").write_text(json.dumps(res, indent=2))
        sections.append(table(label, res))
        print(sections[-1], flush=True)
        shutil.rmtree(work, ignore_errors=True)
    head = [
        f"# readerscope scale benchmark ({time.strftime('%F %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {machine()}",
        "",
    ]
    if summary:
        ok = "ok" if summary.get("returncode") == 0 else f"FAILED rc={summary.get('returncode')}"
        head += [
            f"Cold `python -m readerscope summary` on the sample thread: "
            f"{summary.get('seconds', 'n/a')} s ({ok}; target < 5 s).",
            "",
        ]
    md = "\n".join(head + sections)
    tag = args.sizes.replace(",", "_")
    name = "results.md" if args.sizes == "10k,100k,1M" else f"results-{tag}.md"
    (args.results / name).write_text(md)
    print(f"wrote {args.results / name}")


if __name__ == "__main__":
    main()
