"""The parser catalogue: one input per reported failure, with its expected outcome.

Each ``tests/catalogue/NAME.<ext>`` has a ``NAME.expected.json`` written by hand:

* ``issue`` / ``what``: the catalogue item and what the case is about;
* ``comments``: per comment, the fields to check (only the keys given are compared);
  the number of comments must match exactly;
* ``shape`` (and ``detect``: the detector alone must say so), ``declared``, ``title``,
  ``article_text``: thread facts;
* ``warnings``: substrings that must each occur in some warning; ``forbid``: substrings
  no warning may contain;
* ``error``: the input is unusable; the InputError must contain this text, on one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from readerscope.comments import InputError, ParseWarning, read_thread
from readerscope.comments.detect import detect_shape
from readerscope.comments.schema import validate_comments

ROOT = Path(__file__).parents[1]
CATALOGUE = Path(__file__).parent / "catalogue"
CASES = sorted(
    p for p in CATALOGUE.iterdir() if p.suffix in (".txt", ".csv", ".jsonl") and p.is_file()
)


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_catalogue_case(path: Path) -> None:
    want = _expected(path)
    if "error" in want:
        with pytest.raises(InputError) as info:
            read_thread(path)
        msg = str(info.value)
        assert want["error"] in msg
        assert "\n" not in msg
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        t = read_thread(path)
    validate_comments(t.comments)
    if "shape" in want:
        assert t.shape == want["shape"]
        if want.get("detect"):
            assert detect_shape(path.read_text(encoding="utf-8")) == want["shape"]
    for key, attr in (("declared", "declared_count"), ("title", "title")):
        if key in want:
            assert getattr(t, attr) == want[key]
    if "article_text" in want:
        assert t.article_text == want["article_text"]
    rows = t.comments.to_dicts()
    got = [{k: r[k] for k in w} for r, w in zip(rows, want["comments"], strict=False)]
    assert got == want["comments"][: len(got)]
    assert len(rows) == len(want["comments"]), t.report()
    for needle in want.get("warnings", []):
        assert any(needle in w for w in t.warnings), (needle, t.warnings)
    for needle in want.get("forbid", []):
        assert not any(needle in w for w in t.warnings), (needle, t.warnings)


def test_every_case_has_an_expectation() -> None:
    assert CASES
    for p in CASES:
        assert p.with_suffix(".expected.json").is_file(), p


def test_parse_directory_says_how_to_read_one_from_the_command_line(tmp_path: Path) -> None:
    """C10: the message names CLI commands, not a library function, and is one line."""
    with pytest.raises(InputError) as info:
        read_thread(tmp_path)
    msg = str(info.value)
    assert "read_corpus" not in msg and "\n" not in msg
    assert "readerscope analyze" in msg and "readerscope summary" in msg
    proc = subprocess.run(
        [sys.executable, "-m", "readerscope", "parse", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "readerscope analyze" in proc.stderr
