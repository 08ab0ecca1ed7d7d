"""A corpus of several threads: parsed as one table, analysed per thread, same in parallel.

The corpus is the real sample thread under three file names (two full copies and a
cut-down one). Identical copies make thread isolation testable: if any stage let one
thread see another (stance skips text pasted from *earlier comments of the same
thread*), the second copy would score differently from the first.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
from readerscope.analysis.config import AnalysisConfig, RunConfig
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.pipeline import analyze
from readerscope.comments import InputError
from readerscope.comments.load import read_corpus

SAMPLE = Path(__file__).resolve().parents[1] / "comments" / "samples" / "japantoday_750057.txt"
PER_COMMENT = ("sentiment_compound", "stance_us", "stance_china", "stance_japan")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    text = SAMPLE.read_text(encoding="utf-8")
    (d / "jt_a.txt").write_text(text, encoding="utf-8")
    (d / "jt_b.txt").write_text(text, encoding="utf-8")
    # A shorter thread: the article and the first comments only (declared count fixed up).
    lines = text.splitlines()
    start = lines.index("Login to comment") + 1
    short = lines[:start] + lines[start : start + 12]
    short = [ln.replace("37 Comments", "5 Comments") for ln in short]
    (d / "jt_c.txt").write_text("\n".join(short) + "\n", encoding="utf-8")
    (d / "notes.pdf").write_bytes(b"%PDF not a thread")  # ignored: not a thread file type
    return d


@pytest.fixture(scope="module")
def analysed(corpus_dir, tmp_path_factory):
    corpus = read_corpus([corpus_dir])
    cache = str(tmp_path_factory.mktemp("emb"))
    config = AnalysisConfig(
        embedding=EmbeddingConfig(backend="minilm", cache_dir=cache),
        run=RunConfig(n_jobs=1, batch_size=16),
    )
    return corpus, config, analyze(corpus, config)


def test_directory_reads_as_one_corpus_with_thread_ids(corpus_dir):
    corpus = read_corpus([corpus_dir])
    assert corpus.threads["thread_id"].to_list() == ["jt_a", "jt_b", "jt_c"]
    counts = dict(corpus.comments.group_by("thread_id").len().iter_rows())
    assert counts["jt_a"] == counts["jt_b"] == 37
    assert 0 < counts["jt_c"] < 37
    assert corpus.comments["comment_id"].n_unique() == corpus.comments.height
    assert corpus.comments.filter(pl.col("thread_id") == "jt_b")["comment_id"][0] == "jt_b-c1"


def test_parallel_parse_equals_serial_parse(corpus_dir):
    serial = read_corpus([corpus_dir])
    parallel = read_corpus([corpus_dir], n_jobs=2)
    assert parallel.comments.equals(serial.comments)
    assert parallel.threads.equals(serial.threads)


def test_duplicate_thread_ids_are_an_input_error(corpus_dir, tmp_path):
    other = tmp_path / "again"
    other.mkdir()
    (other / "jt_a.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for reader in (read_corpus, lambda p: read_corpus(p, n_jobs=2)):
        with pytest.raises(InputError, match=r"jt_a.*already read"):
            reader([corpus_dir, other])


def test_threads_are_analysed_in_isolation(analysed):
    _, _, result = analysed
    df = result.comments
    a = df.filter(pl.col("thread_id") == "jt_a").select(PER_COMMENT)
    b = df.filter(pl.col("thread_id") == "jt_b").select(PER_COMMENT)
    assert a.equals(b)
    # Replies never cross threads.
    parent_thread = df.select(
        pl.col("reply_to"), pl.col("thread_id").alias("parent_thread"), pl.col("comment_id")
    )
    linked = df.filter(pl.col("reply_to").str.contains("-c")).join(
        parent_thread.select("comment_id", "parent_thread"),
        left_on="reply_to",
        right_on="comment_id",
    )
    assert linked.height > 0
    assert (linked["thread_id"] == linked["parent_thread"]).all()


def test_corpus_stance_per_thread_summarises(analysed):
    """The per-thread view a study needs: stance counts toward each target per thread."""
    _, _, result = analysed
    per_thread = (
        result.comments.group_by("thread_id", "stance_china")
        .len()
        .pivot(on="stance_china", index="thread_id", values="len")
        .sort("thread_id")
    )
    assert per_thread["thread_id"].to_list() == ["jt_a", "jt_b", "jt_c"]
    row_a, row_b = per_thread.row(0), per_thread.row(1)
    assert row_a[1:] == row_b[1:]


def test_multiprocess_analysis_is_identical_to_single_process(analysed):
    corpus, config, result = analysed
    # batches of 40 rows cut between the 37-comment threads: three batches over two
    # worker processes, for the per-comment stages and for replies
    run = dataclasses.replace(config.run, n_jobs=2, batch_size=40)
    again = analyze(corpus, dataclasses.replace(config, run=run))
    assert again.comments.equals(result.comments)
    assert again.topics.equals(result.topics)


def test_summary_command_reads_a_directory_as_a_corpus(corpus_dir, tmp_path, monkeypatch):
    """The CLI takes a directory: every thread is listed and counted."""
    import json

    from readerscope.cli import app
    from typer.testing import CliRunner

    monkeypatch.chdir(tmp_path)  # the embedding cache goes to the temporary directory
    result = CliRunner().invoke(app, ["summary", str(corpus_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    threads = {t["thread_id"]: t for t in data["threads"]}
    assert list(threads) == ["jt_a", "jt_b", "jt_c"]
    assert threads["jt_a"]["comments_found"] == threads["jt_b"]["comments_found"] == 37
    assert data["comments"] == sum(t["comments_found"] for t in threads.values())
