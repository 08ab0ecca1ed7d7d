"""``readerscope codebook``: export a stance coding sheet, or score filled sheets.

Export: ``readerscope codebook [THREAD] -o sheet.csv`` writes one row per comment
(comment_id, position, user, text, an empty column per target, notes, instructions) and
the codebook beside it. Score: ``readerscope codebook [THREAD] --score filled.csv
[--score second.csv] [--supervised]`` prints the method's agreement with each coder
(accuracy, macro-F1, Favg, Cohen's kappa), with several coders their Krippendorff's alpha,
and with ``--supervised`` the leave-one-out agreement of a classifier trained on the
first sheet.
"""

from __future__ import annotations

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

    sup = SupervisedConfig(stance=cfg.stance, embedding=cfg.embedding)
    _, table = cross_validate_stance(corpus.comments, coded, sup, corpus.articles())
    return table


def codebook_command(
    threads: ThreadsArg = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Coding sheet (CSV) to write.")
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
    """Export a stance coding sheet for THREADS, or score filled sheets against the method."""
    import polars as pl

    from ..analysis.context import StageContext
    from ..analysis.stance import agreement, coding
    from ..analysis.stance.stage import add_stance
    from ..comments.outputs import check_writable

    cfg = make_config(config)
    if out is not None or not score:
        check_writable(out or Path("coding_sheet.csv"))
    corpus = load_corpus(threads, fmt)
    targets = cfg.stance.targets()
    comments = corpus.comments
    if not score:
        path = out or Path("coding_sheet.csv")
        coding.write_codebook(comments, path, targets)
        typer.echo(
            f"wrote {path} ({comments.height} comments, targets: "
            f"{', '.join(t.key for t in targets)}) and {path.stem}.guidelines.md"
        )
        return
    method = add_stance(comments, cfg.stance, context=StageContext.from_corpus(corpus))
    codings = [coding.read_coding(p, targets, comments) for p in score]
    for coded, path in zip(codings, score, strict=True):
        if all(coded[f"stance_{t.key}"].null_count() == coded.height for t in targets):
            from ..comments import InputError

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


def register(app: typer.Typer) -> None:
    app.command("codebook")(one_line_errors(codebook_command))
