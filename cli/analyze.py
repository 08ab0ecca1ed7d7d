"""``readerscope analyze``: parse threads and write the fully analysed tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    ConfigOpt,
    EmbeddingOpt,
    FormatOpt,
    JobsOpt,
    StanceMethodOpt,
    StanceModelOpt,
    ThreadsArg,
    TopicsOpt,
    load_corpus,
    make_config,
    one_line_errors,
    stderr_progress,
)

if TYPE_CHECKING:
    from ..analysis.config import AnalysisConfig


def analyze_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path,
        typer.Option(
            "-o",
            "--out",
            help="Output folder (new, empty, or an earlier readerscope output, which is "
            "replaced whole).",
        ),
    ] = Path("readerscope-out"),
    tables: Annotated[
        str, typer.Option("--tables", help="Table format: parquet, csv or jsonl.")
    ] = "parquet",
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
    embeddings: EmbeddingOpt = None,
    jobs: JobsOpt = None,
    stance_method: StanceMethodOpt = None,
    stance_model: StanceModelOpt = None,
    topics: TopicsOpt = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Where the stages run: local (this machine) or ray (Ray Data: a local "
            "instance, or the cluster at --ray-address). Default: the config's, local.",
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Ray cluster to join with --engine ray (host:6379, ray://host:10001 or auto; "
            "default: the config's, else Ray's own rule).",
        ),
    ] = None,
) -> None:
    """Analyse THREADS (files or directories; none: the built-in sample) into the folder OUT.

    OUT gets comments.<ext> and the thread, sentence, conversation, user, topic and
    topic-by-stance tables, reply/discourse networks (CSV, GraphML, GEXF), a ConvoKit-style
    corpus and manifest.json (inputs' sha256, package versions, config, seeds, stance
    method, file hashes). The folder is written beside OUT and swapped in at the end, so an
    interrupted run leaves the earlier output whole. With --engine ray the comment and
    sentence tables are partitioned: comments/part-NNNNN.parquet, sentences/part-NNNNN.parquet.
    """
    from ..analysis.outputs import TABLE_FORMATS, write_result
    from ..analysis.pipeline import analyze
    from ..comments.outputs import check_target
    from .common import fail

    if tables not in TABLE_FORMATS:
        fail(f"--tables {tables!r}: choose one of {', '.join(TABLE_FORMATS)}")
    cfg = make_config(
        config,
        embeddings=embeddings,
        jobs=jobs,
        topics=topics,
        stance_method=stance_method,
        stance_model=stance_model,
    )
    cfg = _with_engine(cfg, engine, ray_address)
    check_target(out)  # before the slow part: a folder we may not replace fails at once
    if cfg.run.engine == "ray":
        _analyze_on_ray(threads, fmt, cfg, out, tables)
        return
    corpus = load_corpus(threads, fmt, n_jobs=cfg.run.n_jobs)
    with stderr_progress() as say:
        result = analyze(corpus, cfg, progress=say)
        say("writing")
        written = write_result(result, out, table_format=tables)
    typer.echo(
        f"analysed {result.comments.height} comments in {result.threads.height} thread(s); "
        f"wrote {len(written)} file(s) to {out}"
    )


def _with_engine(cfg: AnalysisConfig, engine: str | None, address: str | None) -> AnalysisConfig:
    """The --engine / --ray-address flags over the configuration, when given."""
    from ..analysis.checks import ConfigError
    from ..analysis.config import config_from_dict
    from ..comments import InputError

    run = {k: v for k, v in (("engine", engine), ("ray_address", address)) if v is not None}
    if not run:
        return cfg
    try:
        return config_from_dict({"run": run}, base=cfg)
    except ConfigError as err:
        flag = "--ray-address" if err.name.endswith("ray_address") else "--engine"
        raise InputError(flag, err.problem) from None


def _analyze_on_ray(
    threads: list[Path] | None, fmt: str | None, cfg: AnalysisConfig, out: Path, tables: str
) -> None:
    """The Ray engine: Ray Data reads, analyses and writes; Ray is imported only here."""
    from ..analysis.checks import ConfigError
    from ..analysis.ray_engine.run import analyze_ray
    from .common import fail

    if tables != "parquet":
        fail(f"--tables {tables}: --engine ray writes Parquet (use --engine local for {tables})")
    with stderr_progress() as say:
        try:
            run = analyze_ray(threads, cfg, out, format=fmt, progress=say)
        except ConfigError as err:
            fail(str(err))
    typer.echo(
        f"analysed {run.comments} comments in {run.threads} thread(s) on Ray; "
        f"wrote {len(run.files)} file(s) to {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("analyze")(one_line_errors(analyze_command))
