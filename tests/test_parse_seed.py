"""The seed thread (built-in sample) parses exactly: 37 comments, every user and text.

The expected values in fixtures/seed_750057_expected.jsonl were made by reading the seed
by hand: the username line numbers were chosen manually and each text is the raw lines
between two username lines. They do not come from the parser. One comment (Cephus,
line 110) opens with Wasabi's whole earlier comment in quotation marks: by the
verbatim-quote rule (docs/ingest.md) that quotation is its ``quoted_text``, so its row
also gives ``quoted_text``/``quoted_user`` and its ``text`` starts after the quotation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from readerscope.comments import read_thread
from readerscope.comments.schema import validate_comments

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).parents[1] / "comments" / "samples" / "japantoday_750057.txt"


@pytest.fixture(scope="module")
def expected() -> list[dict]:
    lines = (FIXTURES / "seed_750057_expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def sample():
    return read_thread()


def test_sample_has_the_declared_37_comments(sample) -> None:
    assert sample.comments.height == 37
    assert sample.declared_count == 37
    assert sample.shape == "browser-copy"
    assert sample.source == "sample:japantoday_750057"
    assert sample.thread_id == "japantoday_750057"
    assert sample.warnings == ()
    validate_comments(sample.comments)


def test_every_user_and_text_exactly_right_in_order(sample, expected) -> None:
    got = sample.comments.select("user", "text", "quoted_text", "quoted_user").rows()
    assert got == [
        (e["user"], e["text"], e.get("quoted_text"), e.get("quoted_user")) for e in expected
    ]


def test_ids_and_positions(sample) -> None:
    df = sample.comments
    assert df["position"].to_list() == list(range(1, 38))
    assert df["comment_id"][0] == "japantoday_750057-c1"
    assert df["comment_id"][36] == "japantoday_750057-c37"
    assert not df["truncated"].any()
    assert df["score"].null_count() == 37  # the plain copy shows no votes


def test_tricky_lines_are_text_not_names(sample) -> None:
    """Short text lines that look like names or stand alone stay inside comments."""
    texts = "\n".join(sample.comments["text"].to_list())
    users = set(sample.comments["user"].to_list())
    for line in (
        "I don't think so!",
        "No, thanks.",
        "He handed out MAGA hats.",
        "Delicate tightrope? Come on.",
        "*we hold US treasuries",
        "and have some serious talk?",
    ):
        assert line in texts.split("\n")
        assert line not in users
    assert {"Tokyo Guy", "Sh1mon M4sada", "151E", "Dango bong"} <= users


def test_article_text_without_copyright(sample) -> None:
    art = sample.article_text
    assert art.startswith("Just as Japan's top trade negotiator traveled to Washington")
    assert art.endswith("“This is not something that Japan wants, either.”")
    assert "©" not in art and "Copyright" not in art
    assert len(art.split("\n")) == 27


def test_sample_file_and_path_read_the_same(sample) -> None:
    from_path = read_thread(SEED, thread_id="japantoday_750057")
    assert from_path.comments.equals(sample.comments)
    assert from_path.source == str(SEED)


def test_thread_id_option_renames_ids() -> None:
    t = read_thread(None, thread_id="jt1")
    assert t.thread_id == "jt1"
    assert t.comments["comment_id"][4] == "jt1-c5"
    assert set(t.comments["thread_id"].to_list()) == {"jt1"}


def test_name_scores_alone_give_the_37_comments() -> None:
    """The split never uses the declared count; on the seed the lines alone give 37."""
    from readerscope.comments.names import split_names

    lines = SEED.read_text(encoding="utf-8").splitlines()[30:]
    assert len(split_names(lines).names) == 37
