"""Which shape is this input? (``--format`` overrides the answer.)

Rule, in order (first match wins):

1. file extension ``.csv`` / ``.jsonl`` / ``.ndjson`` / ``.parquet`` (or Parquet magic
   bytes) -> a table (decided in :mod:`.read`, before decoding);
2. HTML markup at the start -> ``'html'`` (rejected: save the page as text);
3. first non-blank line is a JSON object -> ``'table-jsonl'``; a comma-separated
   header naming a text column -> ``'table-csv'``;
4. vote lines ``N ( +U / -D )`` present: if at least half as many stand-alone time
   lines (``May 7  08:12 am JST``) after the last ``NN Comments`` line as vote lines
   -> ``'browser-copy-full'``, else
   ``'reader-view'`` (its times sit inside quote headers after a name);
5. a ``NN Comments`` line -> ``'browser-copy'`` when a ``Login to comment`` line is
   present or the lines after the count have no blank lines; else ``'reader-view'``
   (an excerpt with no vote line left);
6. otherwise ``'unknown'`` (no comment section).
"""

from __future__ import annotations

import json
import re

from .patterns import COUNT_LINE, HTML_START, LOGIN_LINE, TIME_LINE, VOTE_LINE

BROWSER_COPY = "browser-copy"
BROWSER_COPY_FULL = "browser-copy-full"
READER_VIEW = "reader-view"
TABLE_CSV = "table-csv"
TABLE_JSONL = "table-jsonl"
TABLE_PARQUET = "table-parquet"

TEXT_SHAPES = (BROWSER_COPY, BROWSER_COPY_FULL, READER_VIEW)
TABLE_SHAPES = (TABLE_CSV, TABLE_JSONL, TABLE_PARQUET)
SHAPES = TEXT_SHAPES + TABLE_SHAPES
"""Every shape ``--format`` accepts."""

TABLE_EXTENSIONS = {
    ".csv": TABLE_CSV,
    ".jsonl": TABLE_JSONL,
    ".ndjson": TABLE_JSONL,
    ".parquet": TABLE_PARQUET,
}

_HEADER_CELL = re.compile(r"^[a-z_][a-z0-9_ ]{0,39}$")
_TEXT_COLUMNS = frozenset({"text", "body", "comment", "content", "message", "comment_text"})


def _looks_like_csv_header(line: str) -> bool:
    """Comma-separated column names (identifier-like) including a text column."""
    cells = [c.strip().strip('"').lower() for c in line.split(",")]
    if len(cells) < 2 or not all(_HEADER_CELL.match(c) for c in cells):
        return False
    return bool(_TEXT_COLUMNS.intersection(cells))


def _looks_like_json_object(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def detect_shape(text: str) -> str:
    """The shape of decoded ``text`` (see the module docstring for the rule)."""
    head = text[:2000]
    if HTML_START.match(head):
        return "html"
    lines = [ln.strip() for ln in text.splitlines()]
    first = next((ln for ln in lines if ln), "")
    if _looks_like_json_object(first[:1_000_000]):
        return TABLE_JSONL
    if _looks_like_csv_header(first[:10_000]):
        return TABLE_CSV
    votes = sum(1 for ln in lines if len(ln) < 40 and VOTE_LINE.match(ln))
    if votes:
        # only the comment section counts: the header's publication time is no comment's
        counts = [i for i, ln in enumerate(lines) if len(ln) < 30 and COUNT_LINE.match(ln)]
        section = lines[counts[-1] + 1 :] if counts else lines
        times = sum(1 for ln in section if len(ln) < 40 and TIME_LINE.match(ln))
        return BROWSER_COPY_FULL if 2 * times >= votes else READER_VIEW
    counts = [i for i, ln in enumerate(lines) if len(ln) < 30 and COUNT_LINE.match(ln)]
    if not counts:
        return "unknown"
    if any(LOGIN_LINE.match(ln) for ln in lines):
        return BROWSER_COPY
    # no votes, no login line: reader view (an excerpt) keeps blank lines between
    # paragraphs, a browser copy has none
    section = lines[counts[-1] + 1 :]
    while section and not section[-1]:
        section.pop()
    return READER_VIEW if "" in section else BROWSER_COPY
