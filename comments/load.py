"""Entry points of the ingest stage: one thread, or a corpus of threads.

Every failure on unusable input is an :class:`InputError` (one line, naming the file and
the problem); problems that still allow a table are warnings on the ParsedThread (and
issued as :class:`ParseWarning`).
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import polars as pl

from .browser_copy import parse_browser_copy, parse_browser_copy_full
from .detect import (
    BROWSER_COPY,
    BROWSER_COPY_FULL,
    READER_VIEW,
    SHAPES,
    TABLE_EXTENSIONS,
    TABLE_PARQUET,
    TABLE_SHAPES,
    detect_shape,
)
from .errors import InputError, ParseWarning
from .page import PageInfo
from .patterns import FOOTER_LINE
from .pool import map_items
from .reader_view import parse_reader_view
from .records import RawComment, to_frame
from .schema import comment_id
from .tables import load_frame, map_table
from .thread import Corpus, ParsedThread

SAMPLE_NAME = "japantoday_750057"
SUPPORTED_SUFFIXES = (".txt", ".text", ".md", *TABLE_EXTENSIONS)
"""File types a directory given to :func:`read_corpus` expands to."""

_NEWLINE = re.compile(r"\r\n|\r|\n")
_PARSERS = {
    BROWSER_COPY: parse_browser_copy,
    BROWSER_COPY_FULL: parse_browser_copy_full,
    READER_VIEW: parse_reader_view,
}


def split_lines(text: str) -> list[str]:
    """Lines with CRLF/CR/LF ends and surrounding whitespace removed (NBSP included)."""
    return [ln.strip() for ln in _NEWLINE.split(text)]


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (BOM allowed) or an InputError saying why the bytes are not text."""
    if not data.strip():
        raise InputError(source, "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(source, "has a UTF-16 byte-order mark but is not UTF-16") from None
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) // 20:
        raise InputError(source, "binary data, not a text thread or a CSV/JSONL/Parquet table")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            source,
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-save the file as UTF-8",
        ) from None


def _pasted_footer(comments: list[RawComment]) -> list[str]:
    """Warnings for footer lines kept as comment text (the page went on after them)."""
    out = []
    for pos, c in enumerate(comments, start=1):
        for line in (*c.quoted_lines, *c.lines):
            if len(line) < 200 and FOOTER_LINE.match(line):
                out.append(
                    f"comment {pos}: the line {line!r} looks like the page footer; kept as "
                    "the comment's text"
                )
    return out


def _thread_from(
    comments: list[RawComment], info: PageInfo, thread_id: str, source: str, shape: str
) -> ParsedThread:
    warn = list(info.warnings) + _pasted_footer(comments)
    if not comments:
        warn.append("thread has no comments")
    elif info.declared is not None and info.declared != len(comments):
        warn.append(f"parsed {len(comments)} comments but the page declares {info.declared}")
    return ParsedThread(
        comments=to_frame(thread_id, comments),
        thread_id=thread_id,
        source=source,
        shape=shape,
        declared_count=info.declared,
        title=info.title,
        article_text=info.article_text,
        published=info.published,
        warnings=tuple(warn),
    )


def _read_source(path: str | Path | None) -> tuple[bytes, str, str, str]:
    """(bytes, source label, default thread id, suffix) of a path or the sample."""
    if path is None:
        ref = resources.files("readerscope.comments").joinpath(f"samples/{SAMPLE_NAME}.txt")
        return ref.read_bytes(), f"sample:{SAMPLE_NAME}", SAMPLE_NAME, ".txt"
    p = Path(path)
    source = str(p)
    if p.is_dir():
        raise InputError(
            source,
            "is a directory; parse reads one thread file: name a file in it, or give the "
            "directory to 'readerscope analyze' or 'readerscope summary', which read every "
            "thread in it",
        )
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except OSError as err:
        raise InputError(source, f"cannot be read ({err.strerror or err})") from None
    return data, source, p.stem, p.suffix.lower()


def _shape_of(data: bytes, suffix: str, forced: str | None, source: str) -> tuple[str, str]:
    """(shape, decoded text or '') for the input; tables are recognised before decoding."""
    if forced is not None and forced not in SHAPES:
        raise InputError(source, f"unknown format {forced!r} (choose from {', '.join(SHAPES)})")
    parquet = suffix == ".parquet" or data[:4] == b"PAR1"
    if forced == TABLE_PARQUET or (forced is None and parquet):
        return TABLE_PARQUET, ""
    text = decode(data, source)
    if forced is not None:
        return forced, text
    if suffix in TABLE_EXTENSIONS:
        return TABLE_EXTENSIONS[suffix], text
    shape = detect_shape(text)
    if shape == "html":
        raise InputError(source, "is an HTML page; save the thread as text (copy or reader view)")
    if shape == "unknown":
        raise InputError(
            source, "no comment section found (no 'NN Comments' line and no vote lines)"
        )
    return shape, text


def _read_threads(
    path: str | Path | None, format: str | None, thread_id: str | None
) -> list[ParsedThread]:
    data, source, stem, suffix = _read_source(path)
    shape, text = _shape_of(data, suffix, format, source)
    tid = thread_id or stem
    if shape in TABLE_SHAPES:
        raw = data if shape == TABLE_PARQUET else text.encode("utf-8")
        frame = load_frame(raw, shape, source)
        try:
            parts = map_table(frame, source, tid)
        except InputError:
            raise
        except Exception as err:  # odd column types: one line, not a traceback
            problem = f"could not map the table ({type(err).__name__}: {err})"
            raise InputError(source, problem) from err
        if thread_id is not None and len(parts) > 1:
            raise InputError(source, f"holds {len(parts)} threads; --thread-id needs one")
        threads = []
        for part in parts:
            warn = list(part.info.warnings)
            if part.comments.height == 0:
                warn.append("thread has no comments")
            comments = part.comments
            if thread_id is not None:  # a forced id renames the thread and its comment ids
                ids = [comment_id(thread_id, i) for i in range(1, comments.height + 1)]
                comments = comments.with_columns(
                    pl.lit(thread_id, dtype=pl.String).alias("thread_id"),
                    pl.Series("comment_id", ids, dtype=pl.String),
                )
            threads.append(
                ParsedThread(
                    comments=comments,
                    thread_id=thread_id or part.thread_id,
                    source=source,
                    shape=shape,
                    warnings=tuple(warn),
                )
            )
        if not threads:
            threads.append(_thread_from([], PageInfo(), tid, source, shape))
        return threads
    try:
        comments, info = _PARSERS[shape](split_lines(text))
    except InputError:
        raise
    except Exception as err:  # a parser bug must still end as one line, not a traceback
        problem = f"could not parse as {shape} ({type(err).__name__}: {err})"
        raise InputError(source, problem) from err
    return [_thread_from(comments, info, tid, source, shape)]


def _emit(thread: ParsedThread) -> None:
    for w in thread.warnings:
        warnings.warn(f"{thread.source}: {w}", ParseWarning, stacklevel=3)


SAMPLE_TITLE = "Threatened by Trump tariffs, Japan walks delicate tightrope between U.S. and China"


def read_thread(
    path: str | Path | None = None, format: str | None = None, thread_id: str | None = None
) -> ParsedThread:
    """Parse one thread file into a :class:`ParsedThread`.

    ``path`` None reads the built-in sample (source 'sample:japantoday_750057').
    ``format`` forces a shape (see :data:`SHAPES`); otherwise it is detected.
    ``thread_id`` defaults to the file stem. Raises InputError on unusable input.
    """
    threads = _read_threads(path, format, thread_id)
    if len(threads) > 1:
        raise InputError(
            threads[0].source, f"holds {len(threads)} threads; use read_corpus to read them all"
        )
    thread = threads[0]
    if path is None and thread.title is None:
        # The browser copy of the sample page lost its headline; the provenance note
        # records it, and reply inference needs it (comments quote the headline).
        thread = dataclasses.replace(thread, title=SAMPLE_TITLE)
    _emit(thread)
    return thread


def _expand(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not found:
                raise InputError(p, "directory holds no thread files (.txt/.csv/.jsonl/.parquet)")
            files.extend(found)
        else:
            files.append(p)
    return files


def _read_file(path: Path, format: str | None) -> list[ParsedThread]:
    """Every thread in one file (module level, so pool workers can pickle it)."""
    return _read_threads(path, format, None)


def read_corpus(
    paths: str | Path | Sequence[str | Path], *, format: str | None = None, n_jobs: int = 1
) -> Corpus:
    """Read several threads (directories expand to their supported files, sorted).

    A table holding several thread_ids yields several threads. Two threads with the
    same thread_id are an InputError: ids must stay unique across the corpus.
    ``n_jobs`` > 1 parses the files in that many processes (``-1``: every core), with
    the same result; parse warnings are raised here, in the calling process.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    files = _expand(paths)
    if not files:
        raise InputError("<corpus>", "no input files given")
    threads: list[ParsedThread] = []
    seen: dict[str, str] = {}
    for found in map_items(files, _read_file, (format,), n_jobs=n_jobs):
        for t in found:
            if t.thread_id in seen:
                raise InputError(
                    t.source, f"thread_id {t.thread_id!r} already read from {seen[t.thread_id]}"
                )
            seen[t.thread_id] = t.source
            _emit(t)
            threads.append(t)
    return Corpus.from_threads(threads)
