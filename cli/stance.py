"""``readerscope stance``: train a stance model on your own coding, and evaluate it.

``readerscope stance train CODED [THREADS...] --targets T.toml -o MODEL_DIR`` fine-tunes
the shipped zero-shot pair model on the coded sheet and prints its cross-validated
agreement; ``readerscope stance evaluate MODEL_DIR CODED [THREADS...]`` prints its
agreement with held-out coded comments (per target accuracy, macro-F1, Favg, kappa).
A coded sheet is the codebook CSV (comment_id/position + stance_<key> columns, with the
THREADS it codes) or any CSV with a text column and stance_<key> columns.

Wiring: ``register(app)`` adds the ``stance`` group to the ``readerscope`` app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

stance_app = typer.Typer(
    help="Train and evaluate stance models on your own coding.", no_args_is_help=True
)

CodedArg = Annotated[Path, typer.Argument(help="Coded sheet (CSV) with stance_<key> columns.")]
ThreadsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Threads the sheet codes (when it has comment_id/position, not text)."),
]
TargetsOpt = Annotated[
    Path | None,
    typer.Option("--targets", help="Targets TOML (default: the bundled US, China, Japan)."),
]


def _pairs(coded: Path, threads: list[Path] | None, targets_path: Path | None):
    from ..analysis.stance.targets import load_targets
    from ..analysis.stance.trained import load_coded
    from ..comments import InputError

    try:
        targets = load_targets(targets_path)
    except ValueError as err:
        raise InputError(targets_path or "targets", str(err)) from None
    comments, corpus = None, None
    if threads:
        from .common import load_corpus

        corpus = load_corpus(threads, None)
        comments = corpus.comments
    return load_coded(coded, targets, comments, context=corpus), targets


def _print(title: str, table) -> None:
    from .codebook import _print_table

    _print_table(title, table)


@stance_app.command("train")
def train_command(
    coded: CodedArg,
    threads: ThreadsArg = None,
    targets: TargetsOpt = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Model directory to write.")] = Path(
        "stance_model"
    ),
    cv_folds: Annotated[
        int, typer.Option("--cv-folds", help="Cross-validation folds (0: none).")
    ] = 3,
    epochs: Annotated[float, typer.Option("--epochs")] = 3.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    from_scratch: Annotated[
        bool, typer.Option("--from-scratch", help="Start from MiniLM, not the zero-shot model.")
    ] = False,
) -> None:
    """Fine-tune a stance model on CODED and write it to MODEL_DIR (with a model card)."""
    import dataclasses
    import sys

    from ..analysis.stance import trained
    from ..analysis.stance.targets import DEFAULT_TARGETS

    pairs, _ = _pairs(coded, threads, targets)
    config = dataclasses.replace(trained.supervised_defaults(), epochs=epochs, seed=seed)
    model = trained.train(
        pairs,
        targets or DEFAULT_TARGETS,
        config=config,
        cv_folds=cv_folds,
        init=None if from_scratch else trained.ZEROSHOT_MODEL,
        log=lambda m: print(m, file=sys.stderr),
    )
    trained.save(model, out, name=out.name)
    if model.cv is not None:
        _print(f"Cross-validated agreement ({cv_folds} folds by comment)", model.cv)
    typer.echo(
        f"wrote {out} ({pairs.height} coded pairs, trained in {model.facts['train_seconds']} s)"
    )


@stance_app.command("evaluate")
def evaluate_command(
    model_dir: Annotated[Path, typer.Argument(help="Directory written by 'stance train'.")],
    coded: CodedArg,
    threads: ThreadsArg = None,
    targets: TargetsOpt = None,
) -> None:
    """Agreement of a trained model with held-out coded comments."""
    from ..analysis.stance import trained

    _, _, own = trained.load(model_dir, targets)
    pairs, _ = _pairs(coded, threads, targets or Path(model_dir) / trained.TARGETS)
    pred = trained.predict_pairs(model_dir, pairs, targets)
    _print(
        f"Stance model {model_dir.name} vs {coded.name}", trained.pair_agreement(pairs, pred, own)
    )


def register(app: typer.Typer) -> None:
    """Add ``readerscope stance ...`` to the main app."""
    app.add_typer(stance_app, name="stance")
