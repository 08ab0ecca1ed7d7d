"""Batched, optionally multi-process execution of pure per-row stages.

Why: sentiment, stance and parsing are per-comment (or per-file) work that is
CPU-bound in pure Python; one process uses one core. Splitting the table into
row batches bounds how much each worker holds at once and lets every core work.

Guarantees (tested): the result is identical to ``fn(df, *fn_args)`` run in one
process, rows stay in input order, and ``n_jobs=1`` runs inline without a pool.
Batches never split a thread (``group_column``, default ``thread_id``): stance reads
earlier comments of the same thread (to skip text pasted from them), so a stage may
depend on its thread, but never on other threads.
Workers are started with the 'spawn' method (safe with threads already running in
the parent, e.g. polars' or torch's pools), so ``fn`` must be a module-level
function and ``fn_args`` picklable.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

MIN_POOL_BATCH = 500
"""Automatic batch sizing goes no lower (pickling and IPC would outweigh the work);
an explicitly smaller ``batch_size`` is still honoured."""

T = TypeVar("T")
R = TypeVar("R")


def resolve_jobs(n_jobs: int) -> int:
    """Worker count: ``n_jobs`` if positive, else all cores minus ``-n_jobs - 1``.

    ``-1`` means every core (joblib's convention); never less than 1.
    """
    if n_jobs > 0:
        return n_jobs
    cores = os.cpu_count() or 1
    return max(1, cores + 1 + n_jobs)


def batch_slices(n_rows: int, batch_size: int) -> list[tuple[int, int]]:
    """(offset, length) of consecutive row batches covering ``n_rows``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return [(start, min(batch_size, n_rows - start)) for start in range(0, n_rows, batch_size)]


def group_batch_slices(groups: pl.Series, batch_size: int) -> list[tuple[int, int]]:
    """Batches of about ``batch_size`` rows that cut only where ``groups`` changes value.

    Each group must be one contiguous run of rows (as a corpus table is: thread by
    thread); a group larger than ``batch_size`` becomes a batch of its own.
    """
    n_rows = len(groups)
    if n_rows == 0:
        return []
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    changes = (groups != groups.shift(1)).fill_null(True)
    starts = changes.arg_true().to_list()
    if len(starts) != groups.n_unique():
        raise ValueError(
            f"rows of one {groups.name!r} are not contiguous; sort the table by "
            f"{groups.name!r} (keeping comment order) before batching"
        )
    slices, begin = [], 0
    for start in [*starts[1:], n_rows]:
        if start - begin >= batch_size:
            slices.append((begin, start - begin))
            begin = start
    if begin < n_rows:
        slices.append((begin, n_rows - begin))
    return slices


def _ordered_pool_map(
    fn: Callable[..., R],
    items: Iterator[T],
    fn_args: tuple[Any, ...],
    n_jobs: int,
) -> Iterator[R]:
    """Like ``Executor.map`` but with at most ``2 * n_jobs`` items in flight.

    ``Executor.map`` submits every item up front, which would pickle the whole
    table into the queue at once; a bounded window keeps memory at a few batches.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=context) as pool:
        window: deque[Future[R]] = deque()
        for item in items:
            window.append(pool.submit(fn, item, *fn_args))
            if len(window) >= 2 * n_jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def map_batches(
    df: pl.DataFrame,
    fn: Callable[..., pl.DataFrame],
    fn_args: tuple[Any, ...] = (),
    batch_size: int = 20_000,
    n_jobs: int = 1,
    group_column: str | None = "thread_id",
) -> pl.DataFrame:
    """Apply ``fn(batch, *fn_args)`` to row batches of ``df`` and concatenate in order.

    ``fn`` may look at other rows of the same group (``group_column``; a missing column
    or None means every row stands alone) but not beyond it; then the result is the
    same as ``fn(df, *fn_args)``. With ``n_jobs == 1`` or a single batch it runs
    inline; otherwise in a pool of ``resolve_jobs(n_jobs)`` spawned processes.
    """
    jobs = resolve_jobs(n_jobs)
    if df.height == 0:
        return fn(df, *fn_args)
    if jobs > 1:
        # At least ~4 batches per worker, so no worker idles while another finishes
        # the last big batch (5 batches on 2 workers would use them at 5/6); batch
        # boundaries never change the result.
        batch_size = min(batch_size, max(MIN_POOL_BATCH, -(-df.height // (4 * jobs))))
    if group_column is not None and group_column in df.columns:
        slices = group_batch_slices(df[group_column], batch_size)
    else:
        slices = batch_slices(df.height, batch_size)
    if jobs == 1 or len(slices) == 1:
        parts = [fn(df.slice(offset, length), *fn_args) for offset, length in slices]
    else:
        batches = (df.slice(offset, length) for offset, length in slices)
        parts = list(_ordered_pool_map(fn, batches, fn_args, min(jobs, len(slices))))
    for (_, length), part in zip(slices, parts, strict=True):
        if part.height != length:
            raise RuntimeError(
                f"{getattr(fn, '__name__', fn)} returned {part.height} rows for a batch of "
                f"{length}: a per-row stage must keep every row"
            )
    # rechunk: one contiguous table, as the single-process run would give.
    return pl.concat(parts, how="vertical").rechunk()


def map_files(
    paths: Sequence[T],
    fn: Callable[..., R],
    fn_args: tuple[Any, ...] = (),
    n_jobs: int = 1,
) -> list[R]:
    """``[fn(path, *fn_args) for path in paths]``, in order, over ``n_jobs`` processes.

    For parsing many thread files: each file is independent. Exceptions raised by
    ``fn`` (e.g. ``InputError`` naming the bad file) propagate unchanged.
    """
    jobs = min(resolve_jobs(n_jobs), max(1, len(paths)))
    if jobs == 1:
        return [fn(p, *fn_args) for p in paths]
    return list(_ordered_pool_map(fn, iter(paths), fn_args, jobs))


def _read_one(path: str, format: str | None):  # -> Corpus (module level: picklable)
    from ..comments.load import read_corpus

    return read_corpus([path], format)


def read_corpus_parallel(
    paths: Sequence[str | os.PathLike[str]], format: str | None = None, n_jobs: int = 1
):  # -> readerscope.comments.Corpus
    """``read_corpus(paths, format)`` with the files parsed over ``n_jobs`` processes.

    Lives here, not in comments/, because ingest must not depend on analysis/.
    Same result as ``read_corpus`` (files in the same sorted order, the same
    duplicate-thread_id check); parse warnings stay in the thread table.
    """
    from ..comments import Corpus, InputError
    from ..comments.load import SUPPORTED_SUFFIXES, read_corpus

    files: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not found:  # let read_corpus raise its own error for the empty directory
                return read_corpus(list(paths), format)
            files += [str(f) for f in found]
        else:
            files.append(str(p))
    if resolve_jobs(n_jobs) == 1 or len(files) < 2:
        return read_corpus(list(paths), format)
    parts = map_files(files, _read_one, (format,), n_jobs)
    seen: dict[str, str] = {}
    for part in parts:
        for tid, source in part.threads.select("thread_id", "source").iter_rows():
            if tid in seen:
                raise InputError(source, f"thread_id {tid!r} already read from {seen[tid]}")
            seen[tid] = source
    return Corpus(
        pl.concat([c.comments for c in parts], how="vertical").rechunk(),
        pl.concat([c.threads for c in parts], how="vertical").rechunk(),
    )
