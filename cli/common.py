"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..analysis.config import AnalysisConfig
    from ..comments import Corpus

ThreadsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Thread files or directories of threads. None: the built-in sample."),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML configuration file (see README).")
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="Force the input shape instead of detecting it."),
]
EmbeddingOpt = Annotated[
    str | None,
    typer.Option("--embeddings", help="Embedding backend: auto, minilm, minilm-numpy or static."),
]
JobsOpt = Annotated[
    int, typer.Option("--jobs", "-j", help="Worker processes for per-comment stages.")
]


def load_corpus(threads: list[Path] | None, fmt: str | None) -> Corpus:
    """The built-in sample when no THREADS are given, else every thread named."""
    from ..comments import Corpus, read_corpus, read_thread

    if not threads:
        return Corpus.from_threads([read_thread(None, format=fmt)])
    return read_corpus(threads, format=fmt)


def make_config(
    path: Path | None,
    *,
    embeddings: str | None = None,
    jobs: int | None = None,
    topics: bool | None = None,
) -> AnalysisConfig:
    """Configuration from the TOML file, then the command-line flags on top."""
    from ..analysis.config import load_config

    if path is not None and not path.is_file():
        from ..comments import InputError

        raise InputError(path, "configuration file not found")
    try:
        cfg = load_config(path)
    except (ValueError, TypeError) as err:
        from ..comments import InputError

        raise InputError(path or "config", str(err)) from None
    run = cfg.run
    if jobs is not None:
        run = dataclasses.replace(run, n_jobs=jobs)
    if topics is not None:
        run = dataclasses.replace(run, topics=topics)
    cfg = dataclasses.replace(cfg, run=run)
    if embeddings is not None:
        cfg = dataclasses.replace(
            cfg, embedding=dataclasses.replace(cfg.embedding, backend=embeddings)
        )
    return cfg


@contextlib.contextmanager
def stderr_progress() -> Iterator[Callable[[str], None]]:
    """A rich status line on stderr naming the slow step under way."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _msg: None
        return
    with console.status("starting") as status:
        yield lambda msg: status.update(f"[bold]{msg}[/]…")


def fail(message: str) -> None:
    """One line on stderr, exit code 2."""
    print(f"readerscope: error: {message}", file=sys.stderr)
    raise typer.Exit(2)
