"""Line patterns shared by the detector and the parsers (all anchored, linear-time)."""

from __future__ import annotations

import re

COUNT_LINE = re.compile(r"^(\d[\d,]*)\s+Comments?$")
"""'37 Comments': the page's declared comment count."""

LOGIN_LINE = re.compile(r"^Login to comment$")
"""Separates the declared count from the comments in a browser copy."""

FOOTER_LINE = re.compile(
    r"^(Login to leave a comment|Use your Facebook account to login or register.*"
    r"|Facebook users|Sign up|Related Articles|©\s*\d{4} GPlusMedia Inc\..*)$"
)
"""Lines of the page footer. Commenters paste them too, so one ends the comment section
only when no comment follows it (see :func:`.page.cut_footer`)."""

HARD_FOOTER_LINE = re.compile(r"^(Related Articles|Use your Facebook account to login.*)$")
"""Footer lines after which the page shows no more comments, whatever follows."""

_DATE = r"(?:Today|Yesterday|[A-Z][a-z]{2,3}\.? \d{1,2}(?:, \d{4})?)"
_CLOCK = r"\d{1,2}:\d{2}\s?[ap]m JST"

TIME_LINE = re.compile(rf"^(?:{_DATE}\s+)?{_CLOCK}$")
"""A comment's own time on its own line ('May 7  08:12 am JST', 'Today 09:14 am JST')."""

QUOTE_HEADER = re.compile(rf"^(?P<name>\S.{{0,39}}?)\s*(?P<time>(?:{_DATE}\s+)?{_CLOCK})$")
"""'Name  07:07 am JST', 'Name Apr. 26  03:49 pm JST', 'NameToday 09:14 am JST'."""

_LONG_HEADER = re.compile(rf"^(?P<name>\S.{{0,38}}\D)\s*(?P<time>{_CLOCK})$")


VOTE_LINE = re.compile(r"^(?P<score>[-+]?\d+)\s*\(\s*\+(?P<up>\d+)\s*/\s*-(?P<down>\d+)\s*\)$")
"""'3 ( +5 / -2 )': score, up-votes, down-votes (score is not always up - down)."""

COPYRIGHT_LINE = re.compile(r"^(©|\(c\)\s|Copyright\s)", re.IGNORECASE)
"""'© KYODO', '©2025 GPlusMedia Inc.', '© Copyright 2025 The Associated Press...'."""

NOTICE_LINE = re.compile(
    r"^(The requested article has expired.*|This article has expired.*"
    r"|Any related articles.*|Advertisement|AD)$"
)
"""Page notices in a reader-view header block."""

BYLINE = re.compile(r"^By\s+\S.{0,80}$")
PUBLISHED_LINE = re.compile(rf"^(?:{_DATE}\s+{_CLOCK}|{_DATE}|[A-Z][a-z]+ \d{{1,2}}, \d{{4}}.*)$")

HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<\?xml)", re.IGNORECASE)


_NOT_NAME_END = frozenset(
    {"at", "by", "from", "until", "till", "before", "after", "around", "about", "since"}
    | {"to", "on", "of", "in", "is", "was", "are", "the", "a", "and", "or"}
)


def header_name(line: str) -> str | None:
    """The quoted commenter's name if ``line`` is a quote header, else None.

    A header is short: at most 40 characters of name and at most 4 words. A sentence
    that ends with a time ('We meet at 9:00 am JST', 'Deadline: 10:00 am JST') is no
    header: its 'name' ends with a preposition or a colon/comma. Names may end with
    '!' or '?' ('Fighto!').
    """
    if len(line) > 80 or not line.endswith("JST") or TIME_LINE.match(line):
        return None
    m = QUOTE_HEADER.match(line)
    if not m:
        return None
    name = m.group("name").strip()
    words = [w for w in name.split() if any(ch.isalnum() for ch in w)]
    if not words or len(words) > 4 or name.endswith((",", ":", ";")):
        return None
    if words[-1].lower() in _NOT_NAME_END:
        return None
    return name


def long_header_name(line: str) -> str | None:
    """The header's name read as long as possible ('JustToday  07:07 am JST' -> 'JustToday').

    :func:`header_name` reads the shortest name ('Just', posted 'Today 07:07'); the two
    differ only for names ending like a date, and a known username settles it.
    """
    m = _LONG_HEADER.match(line) if header_name(line) is not None else None
    return m.group("name").strip() if m else None
