"""An ordered, memory-bounded process pool for independent pieces of work.

Why here: parsing many thread files is the first place readerscope needs several cores,
and analysis/ (batched per-comment stages) reuses the same pool; data flows
comments -> analysis, so the shared machinery lives upstream.
Workers are started with 'spawn' (safe when the parent already runs threads, e.g. polars'
or torch's pools), so ``fn`` must be a module-level function and its arguments picklable.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def resolve_jobs(n_jobs: int) -> int:
    """Worker count: ``n_jobs`` when positive; ``-1`` means every core.

    >>> resolve_jobs(3)
    3
    """
    if n_jobs == -1:
        return os.cpu_count() or 1
    if n_jobs < 1:
        raise ValueError(
            f"n_jobs must be a positive number of processes or -1 (all cores), got {n_jobs}"
        )
    return n_jobs


def ordered_pool_map(
    fn: Callable[..., R],
    items: Iterator[T],
    fn_args: tuple[Any, ...],
    n_jobs: int,
) -> Iterator[R]:
    """Like ``Executor.map`` but with at most ``2 * n_jobs`` items in flight.

    ``Executor.map`` submits every item up front, which would pickle a whole table into
    the queue at once; a bounded window keeps memory at a few items.
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


def map_items(
    items: Sequence[T],
    fn: Callable[..., R],
    fn_args: tuple[Any, ...] = (),
    *,
    n_jobs: int = 1,
) -> list[R]:
    """``[fn(item, *fn_args) for item in items]``, in order, over ``n_jobs`` processes.

    Exceptions raised by ``fn`` (e.g. ``InputError`` naming a bad file) propagate unchanged.

    >>> map_items([1, 2, 3], abs)
    [1, 2, 3]
    """
    jobs = min(resolve_jobs(n_jobs), max(1, len(items)))
    if jobs == 1:
        return [fn(item, *fn_args) for item in items]
    return list(ordered_pool_map(fn, iter(items), fn_args, jobs))
