"""Options and helpers shared by the CLI commands.

Flags override the configuration file only when they are given: every flag that maps to
a setting defaults to None ("not given"), so ``[run] n_jobs = 2`` in the TOML is kept
unless ``--jobs`` is on the command line.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TextIO

import typer

if TYPE_CHECKING:
    from ..analysis.config import AnalysisConfig
    from ..comments import Corpus

_P = ParamSpec("_P")

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
    typer.Option(
        "--embeddings",
        help=(
            "Embedding backend: auto, minilm, minilm-numpy, minilm-onnx (extra 'onnx') or"
            " static (default: the config's)."
        ),
    ),
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        help="Worker processes for parsing and per-comment stages: a positive number, or -1 "
        "for every core (default: the config's, 1).",
    ),
]
CodedOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--coded",
        help="Filled coding sheet (CSV; repeat for several): stance shares corrected for the "
        "labelling's errors, with 95% intervals, and the labelling's validation.",
    ),
]
StanceMethodOpt = Annotated[
    str | None,
    typer.Option(
        "--stance-method",
        help="How stance is labelled: auto, zeroshot, model or rules (default: the config's, "
        "auto = the zero-shot model up to 5,000 comments, rules above).",
    ),
]
StanceModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--stance-model",
        help="A model folder from 'readerscope stance train' (implies --stance-method model).",
    ),
]
TopicsOpt = Annotated[
    bool | None,
    typer.Option("--topics/--no-topics", help="Cluster topics (default: the config's, on)."),
]


def load_corpus(threads: list[Path] | None, fmt: str | None, *, n_jobs: int = 1) -> Corpus:
    """The built-in sample when no THREADS are given, else every thread named."""
    from ..comments import Corpus, read_corpus, read_thread

    if not threads:
        return Corpus.from_threads([read_thread(None, format=fmt)])
    return read_corpus(threads, format=fmt, n_jobs=n_jobs)


_FLAG_SETTINGS = {
    "--embeddings": ("embedding", "backend"),
    "--jobs": ("run", "n_jobs"),
    "--topics": ("stages", "topics"),
    "--stance-method": ("stance", "method"),
    "--stance-model": ("stance", "model_dir"),
}


def make_config(
    path: Path | None,
    *,
    embeddings: str | None = None,
    jobs: int | None = None,
    topics: bool | None = None,
    stance_method: str | None = None,
    stance_model: Path | None = None,
) -> AnalysisConfig:
    """Configuration from the TOML file, then the flags that were given on top.

    Every value is checked here, before any stage runs; a bad one is an InputError
    naming the file (or the flag) and the setting. ``--stance-model DIR`` alone means
    ``--stance-method model``.
    """
    from ..analysis.checks import ConfigError
    from ..analysis.config import config_from_dict, load_config
    from ..comments import InputError

    try:
        cfg = load_config(path)
    except ConfigError as err:  # the file itself (err.name is its path) or one setting
        problem = err.problem if err.name == str(path) else str(err)
        raise InputError(path or "config", problem) from None
    if stance_model is not None and stance_method is None:
        stance_method = "model"
    given = {
        "--embeddings": embeddings,
        "--jobs": jobs,
        "--topics": topics,
        "--stance-model": None if stance_model is None else str(stance_model),
        "--stance-method": stance_method,
    }
    values: dict[str, dict[str, object]] = {}
    for flag, value in given.items():
        if value is not None:
            section, key = _FLAG_SETTINGS[flag]
            values.setdefault(section, {})[key] = value
    try:
        return config_from_dict(values, base=cfg)
    except ConfigError as err:
        flags = [f for f, v in given.items() if v is not None and _FLAG_SETTINGS[f][1] in err.name]
        raise InputError(flags[0] if flags else "flags", err.problem) from None


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


def one_line_errors(command: Callable[_P, None]) -> Callable[_P, None]:
    """The command, with unusable input (an InputError) ending as :func:`fail` does.

    So ``app(args)``, the entry point and an in-process test runner all end the same way:
    one line on stderr and exit code 2. ``cli.main`` still catches what slips through.
    """
    from ..comments.errors import InputError

    @functools.wraps(command)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> None:
        try:
            with short_parse_warnings():
                command(*args, **kwargs)
        except InputError as err:
            fail(str(err))

    return run


@contextlib.contextmanager
def short_parse_warnings() -> Iterator[None]:
    """Parse warnings as one line each on stderr (``readerscope: warning: ...``), not as
    Python's two-line warning with a source line; other warnings are shown as usual."""
    import warnings

    from ..comments.errors import ParseWarning

    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, ParseWarning):
            print(f"readerscope: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown
