"""The driver of the Ray engine: the local stages as Ray Data ``map_batches``, one output.

Steps, each a Ray Data dataset (docs/scale.md):

1. files -> thread rows (:func:`.batches.parse_files`), kept in the object store; the
   thread table comes to the driver (a row per thread), which checks that ids are unique
   and raises the parse warnings, as ``read_corpus`` does;
2. batches of whole threads -> sentiment, stance and replies (:func:`.batches.thread_stages`);
3. topics: fitted here on a seeded sample (all comments when those with words are at most
   ``topics.fit_sample_size``, so the topics are then the local engine's), assigned on the
   workers (:func:`.batches.assign_topics`);
4. the comment and sentence tables are written by the workers as
   ``comments/part-NNNNN.parquet`` and ``sentences/part-NNNNN.parquet``; the tables that
   need the whole corpus (users, conversations, topics by stance, networks, the ConvoKit
   corpus) are made here from the collected comment table.

Ray keeps block order (``preserve_order``), so the parts hold the comments in the local
engine's order and the same input gives the same files. Ray is imported inside the
functions only: importing this module imports no Ray.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from ...comments import InputError, ParseWarning, write_table
from ...comments.load import _expand
from ...comments.outputs import MARKER, check_target, output_folder
from ..checks import ConfigError
from ..config import AnalysisConfig
from ..context import StageContext
from ..outputs import companion_tables, write_networks_and_corpus
from ..pipeline import AnalysisResult, resolve_auto
from ..provenance import run_manifest, sha256_file
from ..topics.model import TopicModel, fit_topic_model
from . import batches

Progress = Callable[[str], None]
BATCHES_PER_CPU = 4
"""Thread batches per CPU of the cluster at least, so no worker idles at the end."""
QUIET_LOGGERS = {"ray.data": logging.WARNING, "ray.data._internal.progress": logging.ERROR}
"""Ray Data's per-dataset INFO lines (and its note that progress bars are off) stay quiet."""


@dataclass(frozen=True)
class RayRun:
    """What a Ray run wrote: counts, and every file (comment parts first, manifest last)."""

    comments: int
    threads: int
    files: list[Path]


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError("run.engine", "'ray' needs Ray: pip install 'readerscope[ray]'") from None
    return ray


@contextlib.contextmanager
def ray_session(address: str | None) -> Iterator[Any]:
    """Ray, joined at ``address`` or as already started by the caller (then left running).

    Ray Data keeps block order here (deterministic parts) and shows no progress bars.
    """
    ray = _import_ray()
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
    ctx = ray.data.DataContext.get_current()
    options = ctx.execution_options
    saved = (options.preserve_order, ctx.enable_progress_bars, ctx.raise_original_map_exception)
    options.preserve_order = True
    ctx.enable_progress_bars = False  # the CLI shows its own status line
    ctx.raise_original_map_exception = True  # bad input: the parser's own InputError
    loggers = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    levels = {name: log.level for name, log in loggers.items()}
    for name, log in loggers.items():
        log.setLevel(QUIET_LOGGERS[name])
    try:
        yield ray
    finally:
        options.preserve_order, ctx.enable_progress_bars, ctx.raise_original_map_exception = saved
        for name, log in loggers.items():
            log.setLevel(levels[name])
        if started:
            ray.shutdown()


def _user_error(err: BaseException) -> BaseException | None:
    """The InputError/ConfigError a Ray task failed with (Ray wraps it), if any."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [err]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        cause = getattr(e, "cause", None)  # a RayTaskError's original exception
        if isinstance(e, InputError | ConfigError) and not isinstance(cause, BaseException):
            return e
        todo += [e.__context__, e.__cause__, cause]
    return None


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    """Bad input found on a worker ends as the local engine's one-line error."""
    try:
        yield
    except Exception as err:
        found = _user_error(err)
        if found is None or found is err:
            raise
        raise found from None


def _collect(ds: Any) -> pl.DataFrame:
    """A dataset as one polars table on the driver, in block order."""
    ray = _import_ray()
    tables = [t for t in ray.get(ds.to_arrow_refs()) if t.num_rows]
    if not tables:
        return pl.DataFrame()
    return pl.from_arrow(pa.concat_tables(tables, promote_options="default")).rechunk()


def _cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _checked_threads(threads: pl.DataFrame) -> None:
    """``read_corpus``'s checks on the whole corpus: unique thread ids, parse warnings."""
    seen: dict[str, str] = {}
    for tid, source, notes in threads.select("thread_id", "source", "warnings").iter_rows():
        if tid in seen:
            raise InputError(source, f"thread_id {tid!r} already read from {seen[tid]}")
        seen[tid] = source
        for note in notes or []:
            warnings.warn(f"{source}: {note}", ParseWarning, stacklevel=4)


def read_thread_rows(
    ray: Any, paths: Sequence[str | Path] | None, fmt: str | None
) -> tuple[Any, pl.DataFrame]:
    """(thread rows in the object store, the thread table). None: the built-in sample."""
    files: list[str | None] = [None] if not paths else [str(p) for p in _expand(paths)]
    if not files:
        raise InputError("<corpus>", "no input files given")
    items = [{batches.FILE: i, batches.PATH: p} for i, p in enumerate(files)]
    blocks = min(len(items), BATCHES_PER_CPU * _cpus(ray))
    ds = ray.data.from_items(items, override_num_blocks=blocks)
    rows = ds.map_batches(
        batches.parse_files, batch_size=None, batch_format="pyarrow", fn_kwargs={"fmt": fmt}
    ).materialize()
    threads = batches.thread_table(_collect(rows.drop_columns([batches.COMMENTS])))
    _checked_threads(threads)
    return rows, threads


def score_thread_rows(ray: Any, rows: Any, threads: pl.DataFrame, config: AnalysisConfig) -> Any:
    """Sentiment, stance and replies over batches of whole threads (~``run.batch_size``
    comments each, and at least ``BATCHES_PER_CPU`` batches per CPU)."""
    n_threads = max(1, threads.height)
    per_thread = max(1.0, int(threads["comment_count"].sum() or 0) / n_threads)
    size = max(1, round(config.run.batch_size / per_thread))
    size = min(size, max(1, math.ceil(n_threads / (BATCHES_PER_CPU * _cpus(ray)))))
    return rows.map_batches(
        batches.thread_stages,
        batch_size=size,
        batch_format="pyarrow",
        fn_kwargs={"config": config},
    ).materialize()


def topic_sample(comments: Any, config: AnalysisConfig) -> tuple[pl.DataFrame, bool]:
    """(the comments topics are fitted on, in corpus order; whether that is all of them).

    All comments (empty ones too, as the local engine fits) when at most
    ``fit_sample_size`` have words; else the ``fit_sample_size`` with words whose
    :func:`.batches.sample_key` is smallest.
    """
    size, seed = config.topics.fit_sample_size, config.topics.random_state
    texts = comments.select_columns(["comment_id", "text"])
    counts = _collect(texts.map_batches(batches.count_texts, batch_format="pyarrow"))
    with_words = int(counts["n"].sum()) if counts.height else 0
    if with_words <= size:
        return _collect(texts), True
    fraction = min(1.0, 1.2 * size / with_words)
    while True:  # the expected count is 1.2 x size; widen in the rare case it falls short
        cutoff = min(2**64, math.ceil(fraction * 2**64))
        found = _collect(
            texts.map_batches(
                batches.sample_candidates,
                batch_format="pyarrow",
                fn_kwargs={"seed": seed, "cutoff": cutoff},
            )
        )
        if found.height >= size or fraction >= 1.0:
            return batches.choose_sample(found, size), False
        fraction = min(1.0, 2 * fraction)


def topic_stage(
    comments: Any, config: AnalysisConfig, say: Progress
) -> tuple[Any, TopicModel, bool]:
    """(comments with topics, the model, whether it was fitted on every comment)."""
    sample, whole = topic_sample(comments, config)
    say(f"topics: fitting on {sample.height} comments")
    model = fit_topic_model(sample, config.topics, context=StageContext(embedding=config.embedding))
    assigned = dict(zip(sample["comment_id"].to_list(), model.assigned.tolist(), strict=True))
    say("topics: assigning")
    out = comments.map_batches(
        batches.assign_topics,
        batch_format="pyarrow",
        fn_kwargs={
            # shipped once with the task function; without BERTopic when never transformed
            "model": dataclasses.replace(model, backend=None) if whole else model,
            "assigned": assigned,
            "embedding": config.embedding,
        },
    ).materialize()
    return out, model, whole


def _part_names(ray: Any) -> Any:
    from ray.data.datasource import FilenameProvider

    class PartNames(FilenameProvider):
        """part-00000-0.parquet, ...: write task, then file of the task, in block order."""

        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"part-{task_index:05d}-{{i}}.parquet"  # Ray fills in {i}

    return PartNames()


def write_parts(ray: Any, ds: Any, folder: Path) -> list[Path]:
    """``ds`` as ``folder/part-NNNNN-N.parquet`` (zstd, as the local tables), by the workers."""
    ds.write_parquet(
        str(folder),
        filename_provider=_part_names(ray),
        mode=ray.data.SaveMode.OVERWRITE,  # a new folder; the default mode wants uuid names
        compression="zstd",
        compression_level=3,
    )
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def write_companions(result: AnalysisResult, folder: Path) -> list[Path]:
    """The tables that need the whole corpus, the networks and the ConvoKit corpus, as
    :func:`readerscope.analysis.outputs.write_result` writes them (Parquet)."""
    written = [
        write_table(table, folder / f"{name}.parquet")
        for name, table in companion_tables(result).items()
        if name != "sentences"  # written by the workers, partitioned
    ]
    derived, _bound = write_networks_and_corpus(result, folder)
    return written + derived


@dataclass(frozen=True)
class _Analysed:
    """The run so far: comments (a dataset), the thread table, the topics if fitted."""

    comments: Any
    threads: pl.DataFrame
    config: AnalysisConfig
    stance_choice: str | None = None
    model: TopicModel | None = None
    whole_sample: bool = True
    sample_size: int = 0


def write_outputs(ray: Any, run: _Analysed, config: AnalysisConfig, folder: Path) -> list[Path]:
    """Every output file into ``folder``: partitioned comments and sentences, then the rest."""
    files = write_parts(ray, run.comments, folder / "comments")
    sents = run.comments.map_batches(
        batches.sentences, batch_format="pyarrow", fn_kwargs={"config": config}
    )
    files += write_parts(ray, sents, folder / "sentences")
    df = _collect(run.comments)
    topics = pl.DataFrame()
    if run.model is not None:
        topics = run.model.table
        if not run.whole_sample:
            topics = batches.resized_topics(topics, df["topic"])
    result = AnalysisResult(
        df, run.threads, topics, pl.DataFrame(), config.stance.targets(), config, run.model
    )
    return files + write_companions(result, folder)


def engine_record(ray: Any, run: _Analysed, config: AnalysisConfig) -> dict[str, Any]:
    """The manifest's account of the engine: Ray's version, the cluster, the topic sample."""
    return {
        "name": "ray",
        "ray": ray.__version__,
        "address": config.run.ray_address,
        "cluster_cpus": _cpus(ray),
        "partitioned": ["comments", "sentences"],
        "topics_fitted_on": run.sample_size if run.model is not None else None,
        "topics_fitted_on_every_comment": run.whole_sample if run.model is not None else None,
    }


def _analysed(
    ray: Any,
    paths: Sequence[str | Path] | None,
    fmt: str | None,
    config: AnalysisConfig,
    say: Progress,
) -> _Analysed:
    say("reading threads")
    rows, threads = read_thread_rows(ray, paths, fmt)
    # every 'auto' is decided once for the whole corpus, as the local engine does
    config, why = resolve_auto(config, int(threads["comment_count"].sum() or 0))
    say("sentiment, stance and replies")
    comments = score_thread_rows(ray, rows, threads, config)
    del rows  # the thread rows leave the object store
    if not config.stages.topics:
        return _Analysed(comments, threads, config, why)
    comments, model, whole = topic_stage(comments, config, say)
    return _Analysed(comments, threads, config, why, model, whole, len(model.assigned))


def analyze_ray(
    paths: Sequence[str | Path] | None,
    config: AnalysisConfig | None = None,
    out: str | Path = "readerscope-out",
    *,
    format: str | None = None,
    progress: Progress | None = None,
) -> RayRun:
    """Analyse the thread files ``paths`` (None: the built-in sample) on Ray into ``out``.

    Joins ``config.run.ray_address`` (or the Ray the caller started). The folder lands
    whole, as with the local engine; its manifest records the engine.
    """
    config = config or AnalysisConfig()
    say = progress or (lambda _msg: None)
    out = Path(out)
    check_target(out)
    with ray_session(config.run.ray_address) as ray, _plain_errors():
        run = _analysed(ray, paths, format, config, say)
        config = run.config  # with the stance method 'auto' chose
        say("writing")
        with output_folder(out) as tmp:
            files = write_outputs(ray, run, config, tmp)
            hashes = {str(p.relative_to(tmp)): sha256_file(p) for p in files if p.is_file()}
            extra = {"engine": engine_record(ray, run, config), "files": hashes}
            manifest = run_manifest(
                run.threads, config, stance_choice=run.stance_choice, extra=extra
            )
            (tmp / MARKER).write_text(
                json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n",
                encoding="utf-8",
            )
            relative = [p.relative_to(tmp) for p in files]
    return RayRun(
        comments=int(run.threads["comment_count"].sum() or 0),
        threads=run.threads.height,
        files=[out / p for p in relative] + [out / MARKER],
    )
