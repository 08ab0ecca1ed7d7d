"""Batched / multi-process stages give exactly the single-process result, in order."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readerscope.analysis.parallel import batch_slices, group_batch_slices, map_batches
from readerscope.comments import InputError
from readerscope.comments.pool import map_items, resolve_jobs


def word_stats(df: pl.DataFrame, min_len: int) -> pl.DataFrame:
    """A per-row stage: adds columns computed from each row alone."""
    return df.with_columns(
        n_words=pl.col("text").str.split(" ").list.len(),
        long_words=pl.col("text")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element().str.len_chars() >= min_len))
        .list.len(),
        shout=pl.col("text").map_elements(str.upper, return_dtype=pl.String),
    )


def repeats_in_thread(df: pl.DataFrame) -> pl.DataFrame:
    """Depends on earlier rows of the same thread (as stance does), not on other threads."""
    seen: dict[str, set[str]] = {}
    flags = []
    for tid, text in df.select("thread_id", "text").iter_rows():
        flags.append(text in seen.setdefault(tid, set()))
        seen[tid].add(text)
    return df.with_columns(pl.Series("repeat", flags, dtype=pl.Boolean))


def drop_first_row(df: pl.DataFrame) -> pl.DataFrame:
    return df.slice(1)


def read_len(path: str) -> int:
    if path.endswith(".bad"):
        raise InputError(path, "not a comment thread")
    with open(path, encoding="utf-8") as fh:
        return len(fh.read())


def _table(n: int) -> pl.DataFrame:
    words = ["Japan", "tariffs", "China", "ally", "is", "a", "neighbour", "trade"]
    texts = [" ".join(words[(i * k) % len(words)] for k in range(1, 2 + i % 7)) for i in range(n)]
    return pl.DataFrame(
        {"comment_id": [f"t-c{i}" for i in range(n)], "text": texts},
        schema={"comment_id": pl.String, "text": pl.String},
    )


def test_pool_result_equals_inline_result():
    df = _table(1000)
    expected = word_stats(df, 5)
    got = map_batches(df, word_stats, fn_args=(5,), batch_size=97, n_jobs=2)
    assert got.equals(expected)
    assert got["comment_id"].to_list() == df["comment_id"].to_list()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 300), batch_size=st.integers(1, 120))
def test_inline_batches_equal_whole_table(n, batch_size):
    df = _table(n)
    assert map_batches(df, word_stats, (4,), batch_size=batch_size, n_jobs=1).equals(
        word_stats(df, 4)
    )


def test_batches_never_split_a_thread():
    row = pl.int_range(pl.len())
    df = _table(600).with_columns(
        thread_id=(row // 37).cast(pl.String), text=(row % 11).cast(pl.String)
    )
    expected = repeats_in_thread(df)
    assert expected["repeat"].sum() > 0  # the stage really looks back within threads
    for n_jobs in (1, 2):
        got = map_batches(df, repeats_in_thread, batch_size=50, n_jobs=n_jobs)
        assert got.equals(expected)
    # Cutting at plain row counts instead would split threads and change the result.
    split = map_batches(df, repeats_in_thread, batch_size=50, n_jobs=1, group_column=None)
    assert not split.equals(expected)


def test_group_slices_cut_at_thread_changes_only():
    groups = pl.Series("thread_id", ["a"] * 5 + ["b"] * 2 + ["c"] * 9 + ["d"])
    assert group_batch_slices(groups, 6) == [(0, 7), (7, 9), (16, 1)]
    with pytest.raises(ValueError, match="not contiguous"):
        group_batch_slices(pl.Series("thread_id", ["a", "b", "a"]), 1)


def test_a_stage_that_loses_rows_is_an_error():
    with pytest.raises(RuntimeError, match="must keep every row"):
        map_batches(_table(50), drop_first_row, batch_size=10, n_jobs=1)


def test_batch_slices_cover_every_row_once():
    assert batch_slices(10, 4) == [(0, 4), (4, 4), (8, 2)]
    assert batch_slices(0, 4) == []
    with pytest.raises(ValueError):
        batch_slices(10, 0)


def test_resolve_jobs():
    assert resolve_jobs(3) == 3
    assert resolve_jobs(-1) >= 1
    for bad in (0, -2, -10_000):  # only a positive count or -1 (every core) is meaningful
        with pytest.raises(ValueError, match="positive number of processes or -1"):
            resolve_jobs(bad)


def test_map_items_keeps_order_and_propagates_input_errors(tmp_path):
    paths = []
    for i in range(5):
        p = tmp_path / f"t{i}.txt"
        p.write_text("x" * (i + 1), encoding="utf-8")
        paths.append(str(p))
    assert map_items(paths, read_len, n_jobs=2) == [1, 2, 3, 4, 5]
    bad = tmp_path / "thread.bad"
    bad.write_text("?", encoding="utf-8")
    with pytest.raises(InputError, match=r"thread\.bad: not a comment thread"):
        map_items([*paths, str(bad)], read_len, n_jobs=2)
