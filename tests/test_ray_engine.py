"""The Ray engine gives the local engine's results, on a Ray instance this module starts.

Corpus: the built-in sample thread (as a file), four small threads in other shapes (a
browser copy, a reader view, a CSV table) and a Parquet table holding two threads. Every
table is compared after sorting by its key (and in the order written), every network and
ConvoKit file byte for byte. Ray is an optional extra: the tests that need it are skipped
without it; the rest check that nothing imports it unasked.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from readerscope.analysis.checks import ConfigError
from readerscope.analysis.config import AnalysisConfig, RunConfig, config_from_dict
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.outputs import write_result
from readerscope.analysis.pipeline import analyze
from readerscope.analysis.ray_engine.batches import choose_sample, resized_topics, sample_key
from readerscope.analysis.topics.config import TopicConfig
from readerscope.comments import InputError, read_corpus

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "comments" / "samples" / "japantoday_750057.txt"
KEYS = {
    "comments": ["comment_id"],
    "sentences": ["comment_id", "sentence_index"],
    "threads": ["thread_id"],
    "topics": ["topic"],
    "conversation": ["comment_id"],
    "users": ["user"],
    "topics_by_stance": ["topic"],
}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ray_corpus")
    (d / "jt_sample.txt").write_bytes(SAMPLE.read_bytes())
    for name in ("browser_copy_full.txt", "reader_view_kyodo.txt", "table_forum.csv"):
        (d / name).write_bytes((FIXTURES / name).read_bytes())
    table = pl.read_csv(FIXTURES / "table_forum.csv")
    threads = ["pq_1"] * 3 + ["pq_2"] * (table.height - 3)
    table.with_columns(pl.Series("thread_id", threads)).write_parquet(d / "forum.parquet")
    return d


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> AnalysisConfig:
    cache = str(tmp_path_factory.mktemp("ray_emb"))
    return AnalysisConfig(
        embedding=EmbeddingConfig(backend="minilm", cache_dir=cache), run=RunConfig(engine="ray")
    )


@pytest.fixture(scope="module")
def local_out(corpus_dir, config, tmp_path_factory) -> Path:
    """The local engine's output (run first: it fills the embedding cache the workers read)."""
    out = tmp_path_factory.mktemp("local") / "out"
    with pytest.warns(Warning):
        corpus = read_corpus([corpus_dir])
    write_result(analyze(corpus, config), out)
    return out


def _import_ray():
    """Ray itself. pytest imports the repository root (a package) under its folder's name,
    so in a checkout named 'ray' that name is taken: drop it, and its parent from the path."""
    mod = sys.modules.get("ray")
    if mod is not None and Path(getattr(mod, "__file__", None) or "/").resolve().parent == ROOT:
        del sys.modules["ray"]
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT.parent]
    return pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_session():
    ray = _import_ray()
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def ray_out(ray_session, local_out, corpus_dir, config, tmp_path_factory) -> Path:
    from readerscope.analysis.ray_engine.run import analyze_ray

    out = tmp_path_factory.mktemp("ray") / "out"
    with pytest.warns(Warning, match="without text"):  # the parse warnings, on the driver
        run = analyze_ray([corpus_dir], config, out)
    assert run.threads == 6
    assert run.files[0].parent.name == "comments" and run.files[-1].name == "manifest.json"
    return out


def _table(folder: Path, name: str) -> pl.DataFrame:
    parts = folder / name
    if parts.is_dir():
        return pl.read_parquet(sorted(parts.glob("part-*.parquet")))
    return pl.read_parquet(folder / f"{name}.parquet")


@pytest.mark.slow
def test_ray_tables_equal_local_tables(ray_out, local_out):
    assert len(list((ray_out / "comments").glob("part-*.parquet"))) > 1  # really partitioned
    for name, key in KEYS.items():
        got, want = _table(ray_out, name), _table(local_out, name)
        assert got.schema == want.schema, name
        assert got.sort(key, maintain_order=True).equals(want.sort(key, maintain_order=True)), name
        assert got.equals(want), f"{name}: same rows, but not in the local order"


@pytest.mark.slow
def test_ray_networks_and_corpus_files_equal_local(ray_out, local_out):
    names = sorted(
        str(p.relative_to(local_out))
        for p in local_out.rglob("*")
        if p.is_file() and p.suffix != ".parquet" and p.name != "manifest.json"
    )
    assert any(n.startswith("networks/") for n in names) and any("convokit" in n for n in names)
    for name in names:
        assert (ray_out / name).read_bytes() == (local_out / name).read_bytes(), name


@pytest.mark.slow
def test_ray_manifest_records_the_engine(ray_out):
    manifest = json.loads((ray_out / "manifest.json").read_text())
    engine = manifest["engine"]
    assert engine["name"] == "ray" and engine["ray"] and engine["cluster_cpus"] == 2
    assert engine["topics_fitted_on_every_comment"] is True
    assert manifest["config"]["run"]["engine"] == "ray"
    parts = [f for f in manifest["files"] if f.startswith("comments/part-")]
    assert parts and all((ray_out / f).is_file() for f in manifest["files"])


@pytest.mark.slow
def test_topics_above_the_sample_size_are_fitted_on_a_sample(
    ray_session, corpus_dir, config, tmp_path
):
    from readerscope.analysis.ray_engine.run import analyze_ray

    small = config_from_dict(
        {"topics": {"fit_sample_size": 25}, "stages": {"replies": False}}, base=config
    )
    with pytest.warns(Warning):
        analyze_ray([corpus_dir], small, tmp_path / "out")
    comments, topics = _table(tmp_path / "out", "comments"), _table(tmp_path / "out", "topics")
    engine = json.loads((tmp_path / "out" / "manifest.json").read_text())["engine"]
    assert engine["topics_fitted_on"] == 25 and not engine["topics_fitted_on_every_comment"]
    assert comments["topic"].null_count() == 0
    assert topics["size"].sum() == comments.height  # sizes count every comment
    labels = dict(topics.select("topic", "label").iter_rows())
    assert all(labels[t] == lab for t, lab in comments.select("topic", "topic_label").iter_rows())


@pytest.mark.slow
def test_bad_input_on_a_worker_is_the_local_one_line_error(ray_session, config, tmp_path):
    from readerscope.analysis.ray_engine.run import analyze_ray

    (tmp_path / "a.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "notes.txt").write_text("just a note, no comments here\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.txt: no comment section found"):
        analyze_ray([tmp_path], config, tmp_path / "out")
    (tmp_path / "notes.txt").unlink()
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "a.txt").write_bytes(SAMPLE.read_bytes())
    with pytest.raises(InputError, match=r"thread_id 'a' already read"):
        analyze_ray([tmp_path, tmp_path / "again"], config, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_cli_engine_ray_on_the_sample(ray_session, config, tmp_path):
    from readerscope.cli import app
    from typer.testing import CliRunner

    toml = tmp_path / "c.toml"
    toml.write_text(f'[embedding]\ncache_dir = "{config.embedding.cache_dir}"\n')
    out = tmp_path / "out"
    args = ["analyze", "--engine", "ray", "--no-topics", "-c", str(toml), "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "analysed 37 comments in 1 thread(s) on Ray" in result.output
    assert (out / "comments" / "part-00000-0.parquet").is_file()
    assert json.loads((out / "manifest.json").read_text())["engine"]["name"] == "ray"


def test_engine_is_a_checked_setting():
    assert RunConfig().engine == "local" and RunConfig().ray_address is None
    with pytest.raises(ConfigError, match=r"engine.*local.*ray"):
        RunConfig(engine="spark")
    cfg = config_from_dict({"run": {"engine": "ray", "ray_address": "10.0.0.5:6379"}})
    assert (cfg.run.engine, cfg.run.ray_address) == ("ray", "10.0.0.5:6379")
    with pytest.raises(ConfigError, match=r"run\.ray_address: must be"):
        config_from_dict({"run": {"ray_address": 6379}})


def test_cli_engine_flags_fail_in_one_line():
    from readerscope.cli import app
    from typer.testing import CliRunner

    bad = CliRunner().invoke(app, ["analyze", "--engine", "spark"])
    assert bad.exit_code == 2 and "--engine" in bad.output
    csv = CliRunner().invoke(app, ["analyze", "--engine", "ray", "--tables", "csv"])
    assert csv.exit_code == 2 and "writes Parquet" in csv.output


def test_nothing_imports_ray_unless_the_engine_is_ray():
    """Importing the engine, the CLI and the pipeline, and a whole `summary` run, import
    no Ray (no import-time side effects; Ray starts only for --engine ray)."""
    code = (
        "import sys\n"
        "import readerscope.analysis.ray_engine.run, readerscope.analysis.outputs\n"
        "from readerscope.cli import app\n"
        "try:\n"
        "    app(['summary', '--no-topics', '--json'])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "print('RAY' if 'ray' in sys.modules else 'NO RAY')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("NO RAY")


def test_topic_sample_depends_on_seed_and_ids_only():
    ids = [f"t{i % 7}-c{i}" for i in range(200)]
    cand = pl.DataFrame(
        {"comment_id": ids, "text": ids, "key": [sample_key(c, 42) for c in ids]},
        schema={"comment_id": pl.String, "text": pl.String, "key": pl.UInt64},
    )
    picked = choose_sample(cand, 50)
    # the same comments whichever order (partition) the candidates arrive in
    again = choose_sample(cand.reverse(), 50)
    assert sorted(picked["comment_id"]) == sorted(again["comment_id"])
    assert picked["comment_id"].to_list() == [c for c in ids if c in set(picked["comment_id"])]
    assert set(choose_sample(cand.with_columns(key=pl.Series([sample_key(c, 7) for c in ids],
               dtype=pl.UInt64)), 50)["comment_id"]) != set(picked["comment_id"])  # fmt: skip


def test_resized_topics_count_every_comment():
    table = pl.DataFrame(
        {
            "topic": [0, 1],
            "label": ["a", "b"],
            "size": [2, 1],
            "top_words": ["", ""],
            "representative_ids": ["", ""],
        },
        schema={
            "topic": pl.Int32,
            "label": pl.String,
            "size": pl.Int32,
            "top_words": pl.String,
            "representative_ids": pl.String,
        },
    )
    out = resized_topics(table, pl.Series("topic", [0, 0, 0, 1, -1], dtype=pl.Int32))
    assert out.select("topic", "label", "size").rows() == [
        (-1, "outliers", 1),
        (0, "a", 3),
        (1, "b", 1),
    ]
    assert TopicConfig().fit_sample_size == 50_000  # the size rule the engine follows
