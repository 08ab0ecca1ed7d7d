"""write_table / read_table: format by extension, round trip, byte-identical output."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from readerscope.comments import InputError, read_corpus, read_table, read_thread, write_table

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return read_thread(FIXTURES / "reader_view_kyodo.txt").comments


@pytest.mark.parametrize("ext", ["parquet", "csv", "jsonl"])
def test_comment_table_round_trip(tmp_path: Path, table: pl.DataFrame, ext: str) -> None:
    path = write_table(table, tmp_path / f"c.{ext}")
    back = read_table(path)
    assert back.schema == table.schema
    assert back.equals(table)
    again = write_table(table, tmp_path / f"d.{ext}")
    assert path.read_bytes() == again.read_bytes()


@pytest.mark.filterwarnings("ignore::readerscope.comments.errors.ParseWarning")
def test_thread_table_lists_in_csv_are_json(tmp_path: Path) -> None:
    corpus = read_corpus([FIXTURES / "reader_view_excerpt.txt"])
    path = write_table(corpus.threads, tmp_path / "threads.csv")
    cell = pl.read_csv(path, infer_schema=False)["warnings"][0]
    assert json.loads(cell) == corpus.threads["warnings"][0].to_list()
    assert read_table(path).equals(corpus.threads)


def test_our_output_reads_back_as_a_table_input(tmp_path: Path, table: pl.DataFrame) -> None:
    path = write_table(table, tmp_path / "reader_view_kyodo.jsonl")
    again = read_thread(path)
    assert again.comments.equals(table)


def test_bad_extension(tmp_path: Path, table: pl.DataFrame) -> None:
    with pytest.raises(InputError, match="unsupported table extension"):
        write_table(table, tmp_path / "c.xlsx")
