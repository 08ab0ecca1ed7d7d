"""Which shape is this input? (``--format`` overrides the answer.)

Rule, in order (first match wins):

1. file extension ``.csv`` / ``.jsonl`` / ``.ndjson`` / ``.parquet`` (or Parquet magic
   bytes) -> a table (decided in :mod:`.read`, before decoding);
2. HTML markup at the start -> ``'html'`` (rejected: save the page as text);
3. first non-blank line is a JSON object -> ``'table-jsonl'``; a comma-separated
   header naming a text column -> ``'table-csv'``;
4. the comment section is located as the parsers do (:func:`.page.find_section`: after
   ``Login to comment``, else after the page's own ``NN Comments`` line, so a count
   pasted into a comment does not move it);
5. vote lines ``N ( +U / -D )`` in the section: ``'browser-copy-full'`` when at least
   half of the comments they close open with a name line and a time line
   (``May 7  08:12 am JST``) and the section has no blank lines (or all of them do);
   else ``'reader-view'`` when the section has blank lines between paragraphs; else
   ``'browser-copy'`` (a plain copy whose usernames or texts merely look like votes);
6. no vote lines but a count or login line -> ``'browser-copy'`` when a ``Login to
   comment`` line is present or the section has no blank lines; else ``'reader-view'``
   (an excerpt with no vote line left);
7. otherwise ``'unknown'`` (no comment section).
"""

from __future__ import annotations

import json
import re

from .page import find_section, is_vote
from .patterns import HTML_START, TIME_LINE

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


def _full_copy_blocks(section: list[str]) -> tuple[int, int]:
    """(comments closed by a vote line, those opening with a name line and a time line)."""
    closed = timed = 0
    block: list[str] = []
    for line in section:
        if is_vote(line):
            closed += 1
            start = next((i for i, ln in enumerate(block) if ln), len(block))
            second = block[start + 1] if start + 1 < len(block) else ""  # no blank between
            timed += len(second) < 40 and TIME_LINE.match(second) is not None
            block = []
        else:
            block.append(line)
    return closed, timed


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
    sec = find_section(lines)
    section = lines[sec.start :]
    while section and not section[-1]:
        section.pop()
    blank_lines = "" in section
    closed, timed = _full_copy_blocks(section)
    if closed:
        # a reader view separates paragraphs by blank lines; a full copy has none, unless
        # every comment still opens with its name and time
        if 2 * timed >= closed and (not blank_lines or timed == closed):
            return BROWSER_COPY_FULL
        return READER_VIEW if blank_lines else BROWSER_COPY
    if not sec.has_count and not sec.has_login:
        return "unknown"
    if sec.has_login:
        return BROWSER_COPY
    return READER_VIEW if blank_lines else BROWSER_COPY
