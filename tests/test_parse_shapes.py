"""Each input shape's fixture parses exactly (expected values written by hand)."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest
from readerscope.comments import InputError, ParseWarning, read_corpus, read_thread
from readerscope.comments.detect import detect_shape
from readerscope.comments.schema import validate_comments

FIXTURES = Path(__file__).parent / "fixtures"
COLS = (
    "user",
    "text",
    "quoted_user",
    "quoted_text",
    "score",
    "votes_up",
    "votes_down",
    "posted_at",
    "truncated",
)

pytestmark = pytest.mark.filterwarnings("ignore::readerscope.comments.errors.ParseWarning")


def rows(t) -> list[tuple]:
    validate_comments(t.comments)
    return t.comments.select(COLS).rows()


TALK = "Talking is cheaper than fighting. Good that they keep the channel open."
CHEAPER = "Cheaper for whom? The fishermen in Fukushima have paid for two years already."
NOTHING = (
    "Nothing will come of this until the seafood ban is lifted in full.\n"
    "The rest is theatre for the domestic audience on both sides."
)
COMP = "They were compensated. Read the article before shouting."


def test_reader_view_exact() -> None:
    t = read_thread(FIXTURES / "reader_view_kyodo.txt")
    assert t.shape == "reader-view"
    assert t.declared_count == 9
    assert t.title == "Japan, China foreign ministers agree to keep talking on seafood and security"
    assert t.published == "Apr. 26  10:15 am JST"
    assert t.article_text is None  # expired article: only notices and copyright
    assert t.warnings == ()
    assert rows(t) == [
        (None, TALK, None, None, 5, 7, 2, None, False),
        (None, NOTHING, None, None, 3, 6, 3, None, False),
        (None, CHEAPER, "SakuraFan", TALK, -1, 4, 5, None, False),
        (
            None,
            "Agreed. And the scallop exporters found other buyers anyway.",
            "Osaka Dad",
            NOTHING,
            2,
            2,
            0,
            None,
            False,
        ),
        # nested: two headers, two quoted paragraphs (innermost first); outer name kept
        (None, COMP, "Skeptic2", f"{TALK}\n{CHEAPER}", 4, 9, 4, None, False),
        (
            None,
            "The ministers met for 90 minutes at 10:30 am JST and agreed on nothing concrete.",
            None,
            None,
            0,
            1,
            1,
            None,
            False,
        ),
        (None, "I don't think so!", None, None, 1, 3, 1, None, False),
        (
            None,
            "Compensation does not buy back a market.\n"
            "Some of those boats will never go out again.",
            "Kenji_T",
            COMP,
            7,
            8,
            0,
            None,
            False,
        ),
        (None, "Short comment.", None, None, 0, 0, 0, None, False),
    ]


def test_reader_view_excerpt_keeps_partial_comment_flagged() -> None:
    with pytest.warns(ParseWarning, match="stops inside comment 3"):
        t = read_thread(FIXTURES / "reader_view_excerpt.txt")
    assert t.shape == "reader-view"
    assert t.title == "Rail operator to trial facial recognition gates at three Osaka stations"
    assert t.article_text == (
        "The trial starts in June and runs for six months, the operator said on Tuesday.\n"
        "Passengers who register a photo in advance can pass without touching a card."
    )
    first = "Another solution in search of a problem. The card gates already work fine."
    assert rows(t) == [
        (None, first, None, None, 6, 8, 2, None, False),
        (
            None,
            "They work fine until the morning rush at Umeda. Anything faster helps.",
            "TrainNerd",
            first,
            2,
            5,
            3,
            None,
            False,
        ),
        (
            None,
            "Who keeps the photos, and for how long? The article says nothing about\n"
            "that, and I would not register until",
            None,
            None,
            None,
            None,
            None,
            None,
            True,
        ),
    ]
    assert any("declares 24" in w for w in t.warnings)


def test_browser_copy_full_exact() -> None:
    t = read_thread(FIXTURES / "browser_copy_full.txt")
    assert t.shape == "browser-copy-full"
    assert t.declared_count == 6
    assert t.title == "Japan eyes new rules for short-term rental operators"
    assert t.warnings == ()
    about = "About time. Our building has had three noise complaints this month alone."
    most = "Most of us follow the rules. Fine the bad ones, do not punish everyone."
    assert rows(t) == [
        ("Tokyo Guy", about, None, None, 3, 5, 2, "May 7  08:12 am JST", False),
        (
            "151E",
            "No, thanks.\nA database will not stop anyone who already ignores the rules.",
            None,
            None,
            -2,
            1,
            3,
            "May 7  08:30 am JST",
            False,
        ),
        ("minpaku_owner", most, "Tokyo Guy", about, 0, 4, 4, "Today 09:14 am JST", False),
        (
            "Sh1mon M4sada",
            "I don't think so!",
            None,
            None,
            1,
            2,
            0,
            "Yesterday 11:50 pm JST",
            False,
        ),
        (
            "Tokyo Guy",
            "Then the good ones have nothing to fear from a register.",
            "minpaku_owner",
            f"{about}\n{most}",
            5,
            6,
            1,
            "Today 10:01 am JST",
            False,
        ),
        (
            "kanji_learner",
            "Will the register be in English too? Many owners are not Japanese.",
            None,
            None,
            0,
            0,
            0,
            "May 8  07:02 am JST",
            False,
        ),
    ]


def test_csv_table_with_common_column_names() -> None:
    t = read_thread(FIXTURES / "table_forum.csv")
    assert t.shape == "table-csv"
    df = t.comments
    validate_comments(df)
    assert df["user"].to_list() == [
        "river_otter",
        "Mika K",
        "river_otter",
        "guest",
        "Mika K",
        "anon_77",
    ]
    assert df["text"][2] == (
        "I would rather the city stopped wasting money on signage.\nEvery month a new sign."
    )
    assert df["text"][3] == 'Agreed, "smart" signs that show nothing.'
    assert df["text"][4] == ""  # empty body kept as '' and warned about
    assert df["reply_to"].to_list() == [
        None,
        "table_forum-c1",
        "table_forum-c2",
        "table_forum-c3",
        "table_forum-c1",
        None,
    ]
    assert df["reply_method"].to_list()[1] == "given"
    assert df["votes_up"].to_list() == [12, 7, 4, 2, 0, 1]
    assert df["votes_down"].to_list() == [3, 9, 1, 0, 0, 0]
    assert df["score"].null_count() == 6
    assert df["posted_at"][0] == "2025-05-01T08:00:00Z"
    assert any("without text" in w for w in t.warnings)
    assert any("name no comment" in w for w in t.warnings)  # parent 999 is unknown


def test_jsonl_table() -> None:
    t = read_thread(FIXTURES / "table_forum.jsonl")
    assert t.shape == "table-jsonl"
    assert t.comments.select("user", "score", "reply_to").rows() == [
        ("river_otter", 9, None),
        ("Mika K", -2, "article"),
        (None, None, None),
    ]
    assert t.comments["text"][2] == "Deleted user's comment stays."


def test_parquet_table_round_trip(tmp_path: Path) -> None:
    src = pl.read_csv(FIXTURES / "table_forum.csv", infer_schema=False)
    path = tmp_path / "forum.parquet"
    src.write_parquet(path)
    t = read_thread(path, thread_id="table_forum")
    assert t.shape == "table-parquet"
    csv = read_thread(FIXTURES / "table_forum.csv")
    assert t.comments.equals(csv.comments)


def test_table_without_text_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("author,likes\nbob,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: no text column"):
        read_thread(path)


def test_table_with_non_numeric_votes(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("user,text,likes\nbob,hi,many\n", encoding="utf-8")
    with pytest.raises(InputError, match="non-number: 'many'"):
        read_thread(path)


def test_format_forces_the_shape(tmp_path: Path) -> None:
    path = tmp_path / "thread.dat"
    path.write_bytes((FIXTURES / "table_forum.csv").read_bytes())
    assert read_thread(path).shape == "table-csv"  # detected from the header
    with pytest.raises(InputError, match="unknown format 'xml'"):
        read_thread(path, format="xml")
    forced = read_thread(FIXTURES / "browser_copy_full.txt", format="reader-view")
    assert forced.shape == "reader-view"


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("reader_view_kyodo.txt", "reader-view"),
        ("reader_view_excerpt.txt", "reader-view"),
        ("browser_copy_full.txt", "browser-copy-full"),
        ("table_forum.jsonl", "table-jsonl"),
        ("table_forum.csv", "table-csv"),
    ],
)
def test_detect_shape(name: str, shape: str) -> None:
    assert detect_shape((FIXTURES / name).read_text(encoding="utf-8")) == shape


def test_corpus_reads_directory_sorted_and_rejects_duplicate_ids(tmp_path: Path) -> None:
    for name in ("reader_view_kyodo.txt", "browser_copy_full.txt"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")  # unsupported: ignored by the expansion
    corpus = read_corpus([tmp_path])
    assert corpus.threads["thread_id"].to_list() == ["browser_copy_full", "reader_view_kyodo"]
    assert corpus.comments.height == 15
    with pytest.raises(InputError, match="already read from"):
        read_corpus([tmp_path / "browser_copy_full.txt", tmp_path / "browser_copy_full.txt"])


def test_corpus_splits_a_multi_thread_table(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"thread_id": "a", "user": "x", "text": "one"}\n'
        '{"thread_id": "b", "user": "y", "text": "two"}\n'
        '{"thread_id": "a", "user": "z", "text": "three"}\n',
        encoding="utf-8",
    )
    corpus = read_corpus([path])
    assert corpus.comments.select("comment_id", "text").rows() == [
        ("a-c1", "one"),
        ("a-c2", "three"),
        ("b-c1", "two"),
    ]
    with pytest.raises(InputError, match="holds 2 threads"):
        read_thread(path)


def test_count_mismatch_is_reported(tmp_path: Path) -> None:
    seed = (Path(__file__).parents[1] / "comments/samples/japantoday_750057.txt").read_text(
        encoding="utf-8"
    )
    path = tmp_path / "short.txt"
    path.write_text(seed.replace("37 Comments", "40 Comments"), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = read_thread(path)
    assert t.comments.height == 37  # the names, not the wrong count, decide
    assert "parsed 37 comments but the page declares 40" in t.warnings
    assert any("declares 40" in str(w.message) for w in caught)
    assert "declared 40" in t.report()
