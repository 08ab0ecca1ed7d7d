"""Ingest: parse comment threads into the comment table (see :mod:`.schema`)."""

from .errors import InputError, ParseWarning
from .schema import ARTICLE, COMMENT_COLUMNS, COMMENT_SCHEMA, THREAD_COLUMNS, THREAD_SCHEMA
from .thread import Corpus, ParsedThread

__all__ = [
    "ARTICLE",
    "COMMENT_COLUMNS",
    "COMMENT_SCHEMA",
    "THREAD_COLUMNS",
    "THREAD_SCHEMA",
    "Corpus",
    "InputError",
    "ParseWarning",
    "ParsedThread",
]
