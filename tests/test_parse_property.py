"""Property: no comment text is ever dropped, whatever the shape.

Hypothesis generates threads of every shape, renders them the way the page (or a
table writer) would, parses them, and checks that every non-structural input line ends
up in exactly one comment's ``text`` or ``quoted_text`` (or, in the plain browser copy,
is the ``user`` line it was or became). Shapes with explicit structure must also come
back exactly.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readerscope.comments import ParseWarning, read_thread
from readerscope.comments.detect import detect_shape
from readerscope.comments.page import count_value
from readerscope.comments.patterns import (
    COPYRIGHT_LINE,
    FOOTER_LINE,
    LOGIN_LINE,
    NOTICE_LINE,
    TIME_LINE,
    VOTE_LINE,
    header_name,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def structural(line: str) -> bool:
    """Lines the format reserves for structure (a comment line never looks like these)."""
    return bool(
        count_value(line) is not None
        or LOGIN_LINE.match(line)
        or FOOTER_LINE.match(line)
        or VOTE_LINE.match(line)
        or TIME_LINE.match(line)
        or header_name(line)
        or COPYRIGHT_LINE.match(line)
        or NOTICE_LINE.match(line)
    )


_chars = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85\u2028\u2029")
_word = st.text(_chars, min_size=1, max_size=9)
line_st = (
    st.lists(_word, min_size=1, max_size=12)
    .map(" ".join)
    .filter(lambda s: s == s.strip() and not structural(s))
)
name_st = st.one_of(
    st.sampled_from(
        [
            "Tokyo Guy",
            "151E",
            "Sh1mon M4sada",
            "deanzaZZR",
            "Wasabi",
            "Fos",
            "Peter14",
            "Dango bong",
            "isabelle",
            "OssanAmerica",
            "kurisupisu",
        ]
    ),
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{2,12}", fullmatch=True),
).filter(lambda s: not structural(s))


@dataclass
class Gen:
    user: str | None
    own: list[str]
    quoted: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    score: tuple[int, int, int] = (0, 0, 0)


@st.composite
def threads(draw, with_quotes: bool) -> list[Gen]:
    """Comments whose text lines are unique across the thread (a quote copies earlier ones)."""
    n = draw(st.integers(0, 8))
    seen: set[str] = set()
    out: list[Gen] = []
    for _ in range(n):
        own = draw(st.lists(line_st, min_size=1, max_size=4, unique=True))
        own = [ln for ln in own if ln not in seen] or [f"fresh line {len(seen)} here."]
        seen.update(own)
        g = Gen(draw(name_st), own)
        earlier = [ln for c in out for ln in c.own]
        if with_quotes and earlier and draw(st.booleans()):
            k = draw(st.integers(1, min(2, len(earlier))))
            g.quoted = draw(st.lists(st.sampled_from(earlier), min_size=k, max_size=k))
            g.headers = [
                f"{draw(name_st)}  {draw(st.integers(1, 12)):02d}:07 am JST" for _ in range(k)
            ]
        up, down = draw(st.integers(0, 50)), draw(st.integers(0, 50))
        g.score = (draw(st.sampled_from([up - down, up - down + 1])), up, down)
        out.append(g)
    return out


def _parse(text: str, shape: str, suffix: str = ".txt", detectable: bool = True):
    if detectable:  # with no comments, the text shapes look alike
        assert detect_shape(text) == shape
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ParseWarning)
            return read_thread(path, format=shape)


def _lines(values) -> Counter:
    out: Counter = Counter()
    for v in values:
        if v:
            out.update(v.split("\n"))
    return out


def _vote(g: Gen) -> str:
    return f"{g.score[0]} ( +{g.score[1]} / -{g.score[2]} )"


@SETTINGS
@given(threads(with_quotes=False), st.lists(line_st.map(lambda s: s + "."), min_size=1, max_size=3))
def test_browser_copy_conserves_every_line(comments: list[Gen], article: list[str]) -> None:
    """Article lines are sentences here, so none is taken for a title or section."""
    body = [ln for c in comments for ln in (c.user, *c.own)]
    text = "\n".join([*article, f"{len(comments)} Comments", "Login to comment", *body]) + "\n"
    t = _parse(text, "browser-copy")
    df = t.comments
    got = _lines(df["text"].to_list()) + Counter(df["user"].to_list())
    assert got == Counter(body)  # each line is exactly one user or one text line
    assert t.article_text == "\n".join(article)
    # name lines are only ever split off at the start of a comment, in order
    assert "\n".join(u + "\n" + x for u, x in df.select("user", "text").rows()) == "\n".join(body)


@SETTINGS
@given(threads(with_quotes=True))
def test_browser_copy_full_exact(comments: list[Gen]) -> None:
    out = [
        "Some title here",
        "Body of the article.",
        f"{len(comments)} Comments",
        "Login to comment",
    ]
    for c in comments:
        out += [c.user, "May 7  08:12 am JST", *c.headers, *c.quoted, *c.own, _vote(c)]
    out.append("Login to leave a comment")
    t = _parse("\n".join(out), "browser-copy-full", detectable=bool(comments))
    assert t.comments.select(
        "user", "text", "quoted_text", "score", "votes_up", "votes_down"
    ).rows() == [
        (c.user, "\n".join(c.own), "\n".join(c.quoted) or None, *c.score) for c in comments
    ]
    assert t.warnings == (() if comments else ("thread has no comments",))


@SETTINGS
@given(threads(with_quotes=True), st.booleans())
def test_reader_view_exact_and_truncation(comments: list[Gen], cut: bool) -> None:
    out = [
        "Politics",
        "",
        "A title for the story",
        "By Kyodo",
        f"{len(comments)} Comments",
        "",
        "© KYODO",
        "",
        f"{len(comments)} Comments",
        "",
    ]
    for c in comments:
        for para in [*c.headers, *c.quoted, *c.own]:
            out += [para, ""]
        out += [_vote(c), ""]
    if cut and comments:
        out = out[: len(out) - 2]  # drop the last vote line: the excerpt ends mid-comment
    else:
        out += ["Login to leave a comment", "©2025 GPlusMedia Inc."]
    t = _parse("\n".join(out), "reader-view", detectable=bool(comments))
    df = t.comments
    assert df.select("text", "quoted_text").rows() == [
        ("\n".join(c.own), "\n".join(c.quoted) or None) for c in comments
    ]
    assert df["user"].null_count() == df.height
    want_votes = [c.score for c in comments]
    if cut and comments:
        want_votes[-1] = (None, None, None)
    assert df.select("score", "votes_up", "votes_down").rows() == want_votes
    assert df["truncated"].to_list() == [
        cut and i == len(comments) - 1 for i in range(len(comments))
    ]
    # conservation: every comment line lands in exactly one text or quoted_text
    want = Counter(ln for c in comments for ln in (*c.own, *c.quoted))
    assert _lines(df["text"].to_list()) + _lines(df["quoted_text"].to_list()) == want


table_text_st = st.lists(line_st, min_size=1, max_size=3).map("\n".join)


@SETTINGS
@given(
    st.lists(st.tuples(st.one_of(st.none(), name_st), table_text_st), min_size=1, max_size=8),
    st.sampled_from(["csv", "jsonl", "parquet"]),
)
def test_tables_exact(rows: list[tuple[str | None, str]], kind: str) -> None:
    df = pl.DataFrame(rows, schema={"author": pl.String, "body": pl.String}, orient="row")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t.{kind}"
        if kind == "csv":
            df.write_csv(path)
        elif kind == "jsonl":
            path.write_text("".join(json.dumps(r) + "\n" for r in df.to_dicts()), encoding="utf-8")
        else:
            df.write_parquet(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ParseWarning)
            t = read_thread(path)
    got = t.comments.select("user", "text").rows()
    if kind == "csv":  # CSV cannot tell an empty name from a missing one
        rows = [(u or None, x) for u, x in rows]
    assert got == rows
