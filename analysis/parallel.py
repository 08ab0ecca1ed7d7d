"""Batched, optionally multi-process execution of pure per-row stages.

Why: sentiment and stance are per-comment work that is
CPU-bound in pure Python; one process uses one core. Splitting the table into
row batches bounds how much each worker holds at once and lets every core work.

Guarantees (tested): the result is identical to ``fn(df, *fn_args)`` run in one
process, rows stay in input order, and ``n_jobs=1`` runs inline without a pool.
Batches never split a thread (``group_column``, default ``thread_id``): stance reads
earlier comments of the same thread (to skip text pasted from them), so a stage may
depend on its thread, but never on other threads.
The process pool is :mod:`readerscope.comments.pool` (spawned workers: ``fn`` must be
a module-level function and ``fn_args`` picklable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from ..comments.pool import ordered_pool_map, resolve_jobs

MIN_POOL_BATCH = 500
"""Automatic batch sizing goes no lower (pickling and IPC would outweigh the work);
an explicitly smaller ``batch_size`` is still honoured."""


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
        parts = list(ordered_pool_map(fn, batches, fn_args, min(jobs, len(slices))))
    for (_, length), part in zip(slices, parts, strict=True):
        if part.height != length:
            raise RuntimeError(
                f"{getattr(fn, '__name__', fn)} returned {part.height} rows for a batch of "
                f"{length}: a per-row stage must keep every row"
            )
    # rechunk: one contiguous table, as the single-process run would give.
    return pl.concat(parts, how="vertical").rechunk()
