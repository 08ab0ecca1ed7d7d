"""Bad input: one clear line naming the file and the problem, exit code 2, no traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from readerscope.comments import InputError, read_thread

ROOT = Path(__file__).parents[1]
SEED = ROOT / "comments" / "samples" / "japantoday_750057.txt"

pytestmark = pytest.mark.filterwarnings("ignore::readerscope.comments.errors.ParseWarning")


def run_cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "readerscope", "parse", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, expected problem text)."""
    files = {
        "empty": (b"", "file is empty"),
        "blank": (b"\n \r\n\t\n", "file is empty"),
        "binary": (bytes(range(256)) * 40, "binary data"),
        "cp1252": (
            "37 Comments\nLogin to comment\nJos\u00e9\nCaf\u00e9 \u201cgood\u201d\n".encode(
                "cp1252"
            ),
            "not UTF-8 text (byte 0xe9",
        ),
        "shift_jis": (
            "37 Comments\nLogin to comment\n太郎\nこんにちは\n".encode("shift_jis"),
            "not UTF-8 text",
        ),
        "html": (
            b"<!DOCTYPE html>\n<html><body><p>37 Comments</p></body></html>\n",
            "is an HTML page",
        ),
        "no_comments": (b"Just an article.\nWith two paragraphs.\n", "no comment section found"),
        "one_long_line": (b"word " * 2_000_000, "no comment section found"),
    }
    out = {}
    for name, (data, problem) in files.items():
        path = tmp / f"{name}.txt"
        path.write_bytes(data)
        out[name] = (path, problem)
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return _bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize(
    "name",
    ["empty", "blank", "binary", "cp1252", "shift_jis", "html", "no_comments", "one_long_line"],
)
def test_unusable_input_raises_one_line_input_error(bad, name: str) -> None:
    path, problem = bad[name]
    with pytest.raises(InputError) as info:
        read_thread(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ")
    assert problem in msg
    assert "\n" not in msg


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_thread(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_thread(tmp_path)


def test_corrupt_tables(tmp_path: Path) -> None:
    pq = tmp_path / "broken.parquet"
    pq.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(InputError, match=r"broken\.parquet: cannot read as PARQUET"):
        read_thread(pq)
    js = tmp_path / "broken.jsonl"
    js.write_text('{"user": "a", "text": "b"}\n{"user": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.jsonl: cannot read as JSONL"):
        read_thread(js)


def test_bom_and_crlf_parse_like_the_seed(tmp_path: Path) -> None:
    seed = SEED.read_text(encoding="utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed.replace("\n", "\r\n").encode("utf-8"))
    got = read_thread(path, thread_id="japantoday_750057")
    assert got.comments.equals(read_thread().comments)
    assert got.article_text == read_thread().article_text


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("utf-16"))
    assert read_thread(path).comments.height == 37


def test_zero_comment_thread_gives_empty_table_and_warning(tmp_path: Path) -> None:
    path = tmp_path / "zero.txt"
    path.write_text("Some article text.\n0 Comments\nLogin to comment\n", encoding="utf-8")
    t = read_thread(path)
    assert t.comments.height == 0
    assert t.declared_count == 0
    assert "thread has no comments" in t.warnings


def test_long_single_line_inside_a_comment_is_kept(tmp_path: Path) -> None:
    long_line = "blah " * 400_000 + "end."
    path = tmp_path / "long.txt"
    path.write_text(f"1 Comments\nLogin to comment\nbob\n{long_line}\n", encoding="utf-8")
    t = read_thread(path)
    assert t.comments.select("user", "text").rows() == [("bob", long_line)]


@pytest.mark.parametrize("name", ["empty", "binary", "cp1252", "html", "one_long_line"])
def test_cli_exit_code_2_and_one_line_stderr(bad, name: str) -> None:
    path, problem = bad[name]
    proc = run_cli(path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("readerscope: error: ")
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in proc.stderr


def test_cli_parse_sample_writes_each_format_deterministically(tmp_path: Path) -> None:
    for ext in ("parquet", "csv", "jsonl"):
        a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
        first = run_cli("-o", a)
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith(
            "sample:japantoday_750057: 37 comments found (declared 37), shape browser-copy"
        )
        assert run_cli("-o", b).returncode == 0
        assert a.read_bytes() == b.read_bytes()
    assert pl.read_parquet(tmp_path / "a.parquet").height == 37


def test_cli_bad_output_extension(tmp_path: Path) -> None:
    proc = run_cli("-o", tmp_path / "out.xlsx")
    assert proc.returncode == 2
    assert "unsupported table extension" in proc.stderr


def test_cli_zero_comments_warns_but_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "zero.txt"
    path.write_text("0 Comments\nLogin to comment\n", encoding="utf-8")
    proc = run_cli(path, "-o", tmp_path / "zero.csv")
    assert proc.returncode == 0
    assert "0 comments found (declared 0)" in proc.stdout
    assert "thread has no comments" in proc.stdout


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("ragged.csv", 'user,text\nbob,hi,extra\n"unterminated,x\n', "cannot read as CSV"),
        ("arrays.jsonl", "[1, 2]\n[3]\n", "cannot read as JSONL"),
        ("listtext.jsonl", '{"user": "a", "text": ["x", "y"]}\n', "holds List(String), not text"),
        ("semicolon.csv", "user;text\nbob;hi\n", "the separator must be a comma"),
        ("nouser.csv", "body,likes\nhello,3\n", "no user column"),
    ],
)
def test_odd_tables_give_one_line_errors(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(problem)) as info:
        read_thread(path)
    assert str(info.value).startswith(f"{path}: ")


def test_header_only_csv_is_an_empty_thread(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("user,text\n", encoding="utf-8")
    t = read_thread(path)
    assert t.comments.height == 0
    assert "thread has no comments" in t.warnings


def test_old_mac_cr_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "cr.txt"
    path.write_bytes(SEED.read_bytes().replace(b"\n", b"\r"))
    assert read_thread(path, thread_id="japantoday_750057").comments.equals(read_thread().comments)
