"""Property: adversarial lines inside comments lose no line and no comment, in every shape.

Hypothesis writes threads in the three text shapes whose comments hold the lines that
broke the parser before: pasted footers ('Login to leave a comment', '©2025 GPlusMedia
Inc.'), 'NN Comments' lines (also after 'Look at this:'), time lines, sentences with
times, CJK text; usernames that look like votes or times ('+1', '2pm', '0900') or are
CJK (田中, 李明); and replies quoting an earlier comment (whole or a first part; nested
when that comment quoted another) under headers of all three styles, in a reader view
either a paragraph of their own or glued to the quoted line. It asserts that the
comment count equals the generated count and that every generated comment line lands
in exactly one ``text`` or ``quoted_text`` (and users, in the shapes that show them).

Inputs that no reader could settle either are not generated: a stand-alone time or vote
line inside a plain copy's text (that shape shows neither, so such a line is a username
there, and is generated as one); a pasted footer as the very last line of a plain copy
(after a weak username it is the footer); a pasted count equal to the page's own, alone
in a reader view's first comment (it is the page's). docs/ingest.md lists these.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readerscope.comments import ParseWarning, read_thread
from readerscope.comments.detect import detect_shape

EXAMPLES = int(os.environ.get("READERSCOPE_PROPERTY_EXAMPLES", "40"))  # more for a deep local run
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

NAMES = ["Tokyo Guy", "151E", "kaz_0707", "Sh1mon M4sada", "OssanAmerica", "Old Kyoto Hand"]
ODD_NAMES = ["田中", "李明", "王芳", "さくら", "+1", "-1", "+5", "2pm", "0900", "10_to_1"]
PLAIN_ONLY_NAMES = ["3 ( +1 / -0 )", "08:00 am JST"]
WORDS = [
    *("rice", "prices", "rose", "again", "this", "year", "while", "the", "ministry", "kept"),
    *("saying", "stockpile", "would", "last", "until", "autumn", "and", "nobody", "in", "my"),
    *("town", "believes", "that", "anymore", "because", "shelves", "were", "empty", "by"),
]
CJK_TEXT = ["我也是这样想的。", "日本に来てくれてありがとうございます。", "大阪は暑いですね"]
HEADER_STYLES = ["{}  07:07 am JST", "{} Apr. 26  03:49 pm JST", "{}Today 09:14 am JST"]


@dataclass
class Gen:
    user: str
    own: list[str]
    quoted: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def shown(self) -> list[str]:
        return [*self.quoted, *self.own]


@st.composite
def sentence(draw, n: int) -> str:
    """A unique text line (the counter ``n`` keeps lines distinct across the thread)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=14))
    end = draw(st.sampled_from([".", "?", "!", "..."]))
    return f"{' '.join(words).capitalize()} {n}{end}"


def adversarial(shape: str, declared: int) -> list[list[str]]:
    """Line groups a comment may hold (each used at most once per thread)."""
    groups = [
        ["Login to leave a comment"],
        ["©2025 GPlusMedia Inc."],
        [f"{declared + 13} Comments"],
        ["Look at this:", f"{declared + 200} Comments", "and nobody read the article."],
        ["The ministers met at 10:30 am JST and agreed on nothing."],
        *([x] for x in CJK_TEXT),
    ]
    if shape != "browser-copy":
        groups += [["Today 09:14 am JST"], ["May 7  08:12 am JST"]]
    return groups


@st.composite
def threads(draw, shape: str) -> list[Gen]:
    n = draw(st.integers(1, 8))
    pool = NAMES + ODD_NAMES + (PLAIN_ONLY_NAMES if shape == "browser-copy" else [])
    extra = draw(st.permutations(adversarial(shape, n)))
    out: list[Gen] = []
    for i in range(n):
        own = [draw(sentence(10 * i + k)) for k in range(draw(st.integers(1, 3)))]
        if extra and draw(st.booleans()):
            at = draw(st.integers(0, len(own)))
            own[at:at] = extra.pop()
        g = Gen(draw(st.sampled_from(pool)), own)
        if out and draw(st.booleans()):
            src = draw(st.sampled_from(out))
            style = draw(st.sampled_from(HEADER_STYLES))
            g.headers = [style.format(src.user), *src.headers[:1]]
            cut = len(src.shown) if src.headers else draw(st.integers(1, len(src.shown)))
            g.quoted = src.shown[:cut]
        out.append(g)
    last = out[-1].own
    if shape == "browser-copy" and last[-1] in (
        "Login to leave a comment",
        "©2025 GPlusMedia Inc.",
    ):
        last.append(draw(sentence(999)))
    return out


def _vote(i: int) -> str:
    return f"{i % 5} ( +{i % 7} / -{i % 3} )"


def render(shape: str, comments: list[Gen], glue: list[bool]) -> str:
    n = len(comments)
    if shape == "reader-view":
        out = ["Politics", "", "A title", "", "By Kyodo", "Apr. 26  10:15 am JST"]
        out += [f"{n} Comments", "", "© KYODO", "", f"{n} Comments", ""]
        for i, c in enumerate(comments):
            paras = [[h] for h in c.headers] + [[q] for q in c.quoted] + [[x] for x in c.own]
            if c.headers and glue[i]:  # the header glued to the first quoted line
                k = len(c.headers)
                paras = [[*c.headers, c.quoted[0]], *paras[k + 1 :]]
            for p in paras:
                out += [*p, ""]
            out += [_vote(i), ""]
        return "\n".join([*out, "Login to leave a comment", "", "©2025 GPlusMedia Inc."])
    out = ["A title", "The article says something.", "© KYODO", f"{n} Comments", "Login to comment"]
    for i, c in enumerate(comments):
        out.append(c.user)
        if shape == "browser-copy-full":
            out.append("Yesterday 11:50 pm JST")
        out += [*c.headers, *c.quoted, *c.own]
        if shape == "browser-copy-full":
            out.append(_vote(i))
    return "\n".join([*out, "Login to leave a comment", "©2025 GPlusMedia Inc."])


def _parse(text: str, shape: str):
    assert detect_shape(text) == shape
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.txt"
        path.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ParseWarning)
            return read_thread(path)


def _lines(values) -> Counter:
    return Counter(ln for v in values if v for ln in v.split("\n"))


def check(shape: str, comments: list[Gen], glue: list[bool]) -> None:
    t = _parse(render(shape, comments, glue), shape)
    df = t.comments
    assert df.height == len(comments), t.report()
    want = Counter(ln for c in comments for ln in c.shown)
    assert _lines(df["text"].to_list()) + _lines(df["quoted_text"].to_list()) == want
    if shape != "reader-view":
        assert df["user"].to_list() == [c.user for c in comments]
    assert df["quoted_text"].to_list() == ["\n".join(c.quoted) or None for c in comments]
    assert df["quoted_user"].to_list() == [_name(c) for c in comments]


def _name(c: Gen) -> str | None:
    if not c.headers:
        return None
    first = c.headers[0]
    for style in HEADER_STYLES:
        suffix = style.format("")
        if first.endswith(suffix):
            return first[: -len(suffix)]
    raise AssertionError(first)


@SETTINGS
@given(threads("browser-copy"))
def test_plain_copy_adversarial(comments: list[Gen]) -> None:
    check("browser-copy", comments, [])


@SETTINGS
@given(threads("browser-copy-full"))
def test_full_copy_adversarial(comments: list[Gen]) -> None:
    check("browser-copy-full", comments, [])


@SETTINGS
@given(threads("reader-view"), st.lists(st.booleans(), min_size=8, max_size=8))
def test_reader_view_adversarial(comments: list[Gen], glue: list[bool]) -> None:
    check("reader-view", comments, glue)
