"""Zero-shot stance: the shipped target-masked pair model, for targets it never saw.

The model (``resources/zeroshot-v1.safetensors``, ~7 MB: the top two MiniLM layers and
a 4-class head; the bottom four layers are the bundled MiniLM's) reads
``(target name, comment with the target's mentions replaced by [TARGET])`` and says
favor / against / neutral / none. It was trained on openly licensed argument data (IBM
ArgQ, Perspectrum) and on the project's written stance corpus, with every entity target's
name masked, so what it learned is how a stance toward *a* target is expressed;
``benchmarks/train_stance_zeroshot.py`` rebuilds it, and docs/stance.md gives its
leave-targets-out figures. Inference is numpy (no torch import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from ..columns import evidence_column, score_column, stance_column
from .encoder import LABELS, PairEncoder, encoder_from_file
from .masking import is_named, mask_target
from .own_words import own_lines
from .targets import Target, load_targets

ZEROSHOT_MODEL = Path(__file__).parent / "resources" / "zeroshot-v1.safetensors"
GATES = ("all", "named")


@dataclass(frozen=True)
class ZeroShotConfig:
    """Settings of the zero-shot stance stage.

    targets_path: targets TOML (None: the bundled US, China, Japan).
    model_path: pair-model weights (None: the shipped zeroshot-v1).
    gate: 'all' runs the model on every (comment, target) pair, so implied stance
        (hashtags, "our president") can be found; 'named' runs it only where the target is
        named and labels the rest none (about targets-fold faster on large corpora).
    exclude_quotes: read only the commenter's own words (quoted lines dropped, as the
        rules do).
    """

    targets_path: str | None = None
    model_path: str | None = None
    gate: str = "all"
    exclude_quotes: bool = True

    def __post_init__(self) -> None:
        if self.gate not in GATES:
            raise ValueError(f"gate must be one of {', '.join(GATES)}; got {self.gate!r}")


@cache
def load_pair_model(path: str | None = None) -> tuple[PairEncoder, dict[str, str]]:
    """The pair model at ``path`` (default: the shipped zero-shot model), loaded once."""
    return encoder_from_file(path or ZEROSHOT_MODEL)


def own_text(text: str | None, article: str | None, exclude_quotes: bool = True) -> str:
    """The commenter's own words (quoted and pasted-article lines dropped)."""
    if not exclude_quotes:
        return text or ""
    return "\n".join(own_lines(text or "", (), article))


def pair_proba(encoder: PairEncoder, texts: Sequence[str], targets: Sequence[Target]) -> np.ndarray:
    """(len(texts), len(targets), 4) class probabilities for every (text, target) pair."""
    first = [t.name for _ in texts for t in targets]
    second = [mask_target(x, t) for x in texts for t in targets]
    if not first:
        return np.zeros((len(texts), len(targets), len(LABELS)), np.float32)
    return encoder.proba(first, second).reshape(len(texts), len(targets), len(LABELS))


def stance_columns(
    texts: Sequence[str],
    targets: Sequence[Target],
    encoder: PairEncoder,
    name: str,
    *,
    gate: str = "all",
) -> list[pl.Series]:
    """stance_<key>, _score (P(favor) - P(against)) and _evidence per target."""
    proba = np.zeros((len(texts), len(targets), len(LABELS)), np.float32)
    proba[..., LABELS.index("none")] = 1.0
    rows = [i for i, x in enumerate(texts) if gate == "all" or any(is_named(x, t) for t in targets)]
    if rows:
        proba[rows] = pair_proba(encoder, [texts[i] for i in rows], targets)
    cols: list[pl.Series] = []
    for j, t in enumerate(targets):
        p = proba[:, j, :]
        if gate == "named":
            named = np.array([is_named(x, t) for x in texts], bool)
            p[~named] = np.eye(len(LABELS), dtype=np.float32)[LABELS.index("none")]
        best = p.argmax(axis=1)
        labels = [LABELS[b] for b in best]
        score = p[:, 0] - p[:, 1]
        evidence = [
            None if lab == "none" else f"model:{name} p={p[i, b]:.2f}"
            for i, (lab, b) in enumerate(zip(labels, best, strict=True))
        ]
        cols += [
            pl.Series(stance_column(t.key), labels, pl.String),
            pl.Series(score_column(t.key), np.round(score, 4).astype(np.float64), pl.Float64),
            pl.Series(evidence_column(t.key), evidence, pl.String),
        ]
    return cols


def _articles(context: object | None) -> Mapping[str, str]:
    arts = getattr(context, "articles", None) if context is not None else None
    return (arts() if callable(arts) else arts) or {}


def comment_texts(df: pl.DataFrame, context: object | None, exclude_quotes: bool) -> list[str]:
    """Each comment's own words, using its thread's article from ``context`` if given."""
    articles = _articles(context)
    threads = df["thread_id"].to_list() if "thread_id" in df.columns else [None] * df.height
    return [
        own_text(text, articles.get(thread or ""), exclude_quotes)
        for thread, text in zip(threads, df["text"].to_list(), strict=True)
    ]


def add_zeroshot_stance(
    df: pl.DataFrame, config: ZeroShotConfig | None = None, *, context: object | None = None
) -> pl.DataFrame:
    """``df`` plus stance_<key>, stance_<key>_score, stance_<key>_evidence per target,
    decided by the zero-shot pair model (the same columns the rules add).

    context: any object with ``.articles`` (thread_id -> article text, or a method
    returning that, like ``Corpus.articles``), so pasted article lines are not read as
    the commenter's words.
    """
    config = config or ZeroShotConfig()
    targets = load_targets(config.targets_path)
    encoder, meta = load_pair_model(config.model_path)
    texts = comment_texts(df, context, config.exclude_quotes)
    name = meta.get("name", "zeroshot")
    return df.with_columns(stance_columns(texts, targets, encoder, name, gate=config.gate))
