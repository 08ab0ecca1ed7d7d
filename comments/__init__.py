"""Ingest: parse comment threads into the comment table (see :mod:`.schema`)."""

from .errors import InputError, ParseWarning
from .io import read_table, write_table
from .load import read_corpus, read_thread
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
    "read_corpus",
    "read_table",
    "read_thread",
    "write_table",
]
