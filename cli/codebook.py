"""``readerscope codebook``: export a stance coding sheet, draw comments to code, or score
filled sheets.

Export: ``readerscope codebook [THREADS...] -o sheet.csv`` writes one row per comment
(comment_id, position, user, text, an empty column per target, notes, instructions) and
the codebook beside it.

Sample: ``--sample N --seed S [--stratify thread]`` writes a seeded random sample of N
comments instead; each row records its inclusion probability, the seed and the stratum, so
``summary --coded`` and ``figures --coded`` can correct the stance shares for the
labelling's errors. ``--next N [--model MODEL_DIR] [--exclude SHEET...]`` writes the N
comments the labelling is least sure about (active learning, for training): these rows are
marked non-random and are never used as a random sample.

Score: ``--score filled.csv [--score second.csv] [--supervised]`` prints the method's
agreement with each coder (accuracy, macro-F1, Favg, Cohen's kappa), with several coders
their Krippendorff's alpha, and with ``--supervised`` the leave-one-out agreement of a
classifier trained on the first sheet.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    ConfigOpt,
    FormatOpt,
    ThreadsArg,
    load_corpus,
    make_config,
    one_line_errors,
)

if TYPE_CHECKING:
    import polars as pl

    from ..analysis.config import AnalysisConfig
    from ..comments import Corpus


def _print_table(title: str, df) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in df.columns:
        table.add_column(col, justify="left" if df.schema[col].is_(str) else "right")
    for row in df.iter_rows():
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    Console(width=120).print(table)


def _check_supervised(
    corpus: Corpus, coded: pl.DataFrame, sheet: Path, cfg: AnalysisConfig
) -> None:
    """InputError unless the sheet can cross-validate the supervised model for some target;
    the targets it cannot are named on stderr."""
    from ..analysis.stance.supervised import NotEnoughCoding, cross_validation_targets
    from ..comments import InputError

    try:
        _, skipped = cross_validation_targets(corpus.comments, coded, cfg.stance.targets())
    except NotEnoughCoding as err:
        raise InputError(sheet, str(err)) from None
    for key, why in skipped.items():
        typer.echo(f"supervised: target {key} left out ({why})", err=True)


def _supervised(corpus: Corpus, coded: pl.DataFrame, cfg: AnalysisConfig) -> pl.DataFrame:
    """The supervised model's leave-one-out agreement on ``coded``."""
    from ..analysis.stance.supervised import SupervisedConfig, cross_validate_stance

    rules = dataclasses.replace(cfg.stance, method="rules")  # its features are the rules'
    sup = SupervisedConfig(stance=rules, embedding=cfg.embedding)
    _, table = cross_validate_stance(corpus.comments, coded, sup, corpus.articles())
    return table


def _one_mode(sample: int | None, next_n: int | None, score: list[Path] | None) -> None:
    from ..comments import InputError

    given = [name for name, v in (("--sample", sample), ("--next", next_n), ("--score", score))
             if v]  # fmt: skip
    if len(given) > 1:
        raise InputError(given[1], f"use one of --sample, --next and --score, not {given}")


def _write(rows, path: Path, targets, what: str) -> None:
    from ..analysis.stance import coding

    coding.write_codebook(rows, path, targets)
    typer.echo(
        f"wrote {path} ({what}; targets: {', '.join(t.key for t in targets)}) and "
        f"{path.stem}.guidelines.md"
    )


def _sample(comments, n: int, seed: int, stratify: str | None, path: Path, targets) -> None:
    from ..analysis.stance.sampling import coding_sample
    from ..comments import InputError

    try:
        rows = coding_sample(comments, n, seed=seed, stratify=stratify)
    except ValueError as err:
        raise InputError("--stratify" if "stratify" in str(err) else "--sample", str(err)) from None
    how = f", stratified by {stratify}" if stratify else ""
    what = f"{rows.height} of {comments.height} comments drawn at random, seed {seed}{how}"
    _write(rows, path, targets, what)


def _next(corpus, cfg, n: int, model: Path | None, exclude: list[Path], path: Path) -> None:
    from ..analysis.context import StageContext
    from ..analysis.stance import coding
    from ..analysis.stance.sampling import training_picks
    from ..analysis.stance.stage import add_stance
    from ..comments import InputError

    targets = cfg.stance.targets()
    comments = corpus.comments
    skip = [i for sheet in exclude for i in coding.sheet_ids(sheet, comments)]
    if model is not None:
        from ..analysis.stance.trained import stance_uncertainty

        values = stance_uncertainty(model, comments, targets)
        uncertainty = pl.Series("uncertainty", values, pl.Float64)
        how = f"most uncertain for the model in {model}"
    else:
        comments = add_stance(comments, cfg.stance, context=StageContext.from_corpus(corpus))
        uncertainty = None
        how = "least certain for the stance method (|score| nearest 0)"
    try:
        rows = training_picks(
            comments, [t.key for t in targets], n, exclude=skip, uncertainty=uncertainty
        )
    except ValueError as err:
        raise InputError("--next", str(err)) from None
    _write(rows, path, targets, f"{rows.height} comments {how}: not a random sample")


def _score(corpus, cfg, score: list[Path], supervised: bool, out: Path | None) -> None:
    import polars as pl

    from ..analysis.context import StageContext
    from ..analysis.stance import agreement, coding
    from ..analysis.stance.stage import add_stance
    from ..comments import InputError

    targets = cfg.stance.targets()
    comments = corpus.comments
    method = add_stance(comments, cfg.stance, context=StageContext.from_corpus(corpus))
    codings = [coding.read_coding(p, targets, comments) for p in score]
    for coded, path in zip(codings, score, strict=True):
        if all(coded[f"stance_{t.key}"].null_count() == coded.height for t in targets):
            raise InputError(path, "no coded cells: fill the stance_<target> columns first")
    if supervised:
        _check_supervised(corpus, codings[0], score[0], cfg)
    tables = [
        agreement.agreement_table(c, method, targets, name=f"method vs {p.name}")
        for c, p in zip(codings, score, strict=True)
    ]
    _print_table("Stance: method vs coder(s)", pl.concat(tables))
    if len(codings) > 1:
        _print_table("Inter-coder agreement", agreement.inter_coder(codings, targets))
    if supervised:
        table = _supervised(corpus, codings[0], cfg)
        tables.append(table)
        _print_table(f"Supervised stance, leave-one-out on {score[0].name}", table)
    if out is not None:
        coding.write_csv_file(pl.concat(tables), out)
        typer.echo(f"wrote {out}")


def codebook_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Coding sheet (CSV) to write.")
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option("--sample", min=1, help="Write a seeded random sample of N comments to code."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the --sample draw.")] = 0,
    stratify: Annotated[
        str | None,
        typer.Option(
            "--stratify",
            help="Stratify the --sample draw: 'thread' (N per thread in proportion to its "
            "comments).",
        ),
    ] = None,
    next_n: Annotated[
        int | None,
        typer.Option(
            "--next",
            min=1,
            help="Write the N comments the labelling is least sure about (for training; not "
            "a random sample).",
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="With --next: rank by this trained stance model."),
    ] = None,
    exclude: Annotated[
        list[Path] | None,
        typer.Option("--exclude", help="With --next: skip the comments of these sheets."),
    ] = None,
    score: Annotated[
        list[Path] | None,
        typer.Option("--score", help="Filled coding sheet(s) to compare with the method."),
    ] = None,
    supervised: Annotated[
        bool,
        typer.Option(
            "--supervised",
            help="Also train the supervised stance model on the first sheet and print its "
            "cross-validated (leave-one-out) agreement.",
        ),
    ] = False,
    config: ConfigOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Export a coding sheet for THREADS (all comments, a random --sample, or the --next to
    code for training), or score filled sheets against the method."""
    from ..comments import InputError
    from ..comments.outputs import check_writable

    _one_mode(sample, next_n, score)
    if next_n is None and (model is not None or exclude):
        raise InputError("--model" if model else "--exclude", "only goes with --next")
    if sample is None and stratify is not None:
        raise InputError("--stratify", "only goes with --sample")
    cfg = make_config(config)
    if out is not None or not score:
        check_writable(out or Path("coding_sheet.csv"))
    corpus = load_corpus(threads, fmt)
    targets = cfg.stance.targets()
    path = out or Path("coding_sheet.csv")
    if score:
        _score(corpus, cfg, score, supervised, out)
    elif sample is not None:
        _sample(corpus.comments, sample, seed, stratify, path, targets)
    elif next_n is not None:
        _next(corpus, cfg, next_n, model, list(exclude or []), path)
    else:
        _write(corpus.comments, path, targets, f"{corpus.comments.height} comments")


def register(app: typer.Typer) -> None:
    app.command("codebook")(one_line_errors(codebook_command))
