"""Leave-targets-out development: training pools, folds, and every route on the same pairs.

A fold holds out one corpus group (its targets) and one text style: the fold's model is
trained on the other groups' items of the other styles, plus ArgQ/Perspectrum items of
their *train* motions/claims, and measured on the held-out group's items of the held-out
style ("strict") and of every style ("targets"). The baselines and the rules are measured
on exactly the same pairs, in the same run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from .agreement import agreement
from .devdata import (
    CORPUS_DIR,
    all_corpus_targets,
    distractors,
    find_dev_data,
    load_argq,
    load_corpus,
    load_perspectrum,
    model_inputs,
)
from .encoder import LABELS, PairEncoder
from .masking import is_named
from .targets import Target

FOLDS: tuple[tuple[str, str], ...] = (
    ("countries", "tweet"),
    ("persons", "reddit_reply"),
    ("organisations", "news_comment"),
    ("policies", "letter"),
)
"""(held-out corpus group, held-out style) per fold."""


@dataclass(frozen=True)
class PoolConfig:
    """How a training pool is drawn (sizes, distractor shares, weights, seed)."""

    n_argq: int = 2000
    n_perspectrum: int = 1500
    n_argq_eval: int = 400
    n_perspectrum_eval: int = 400
    argument_distractors: float = 0.1
    corpus_distractors: float = 0.25
    corpus_weight: float = 2.0
    seed: int = 0


def _sample(df: pl.DataFrame, n: int, seed: int) -> pl.DataFrame:
    return df if df.height <= n else df.sample(n, seed=seed, shuffle=True)


def argument_sets(config: PoolConfig) -> dict[str, pl.DataFrame]:
    """ArgQ/Perspectrum train samples and held-out (test-split) samples; empty when the
    shared dev data is not present."""
    dev = find_dev_data()
    if dev is None:
        empty = (
            load_corpus(("countries",))
            .clear()
            .select(
                "id",
                "text",
                "target",
                "target_text",
                "label",
                "source",
                "group",
                "style",
                "unit",
                "split",
                "entity",
            )
        )
        return {"train": empty, "eval": empty}
    argq, persp = load_argq(dev), load_perspectrum(dev)
    s = config.seed
    train = pl.concat(
        [
            _sample(argq.filter(pl.col("split") == "train"), config.n_argq, s),
            _sample(persp.filter(pl.col("split") == "train"), config.n_perspectrum, s),
        ]
    )
    held = pl.concat(
        [
            _sample(argq.filter(pl.col("split") == "test"), config.n_argq_eval, s),
            _sample(persp.filter(pl.col("split") == "test"), config.n_perspectrum_eval, s),
        ]
    )
    held = pl.concat([held, distractors(held, fraction=0.1, seed=s + 1)])
    return {"train": train, "eval": held}


def training_pool(
    corpus: pl.DataFrame, arguments: pl.DataFrame, config: PoolConfig
) -> pl.DataFrame:
    """Corpus rows + argument rows + their distractors, with a per-row ``weight``."""
    base_cols = arguments.columns
    c = corpus.select(base_cols)
    parts = [
        c,
        distractors(c, fraction=config.corpus_distractors, seed=config.seed + 2),
        arguments,
        distractors(arguments, fraction=config.argument_distractors, seed=config.seed + 3),
    ]
    pool = pl.concat([p.select(base_cols) for p in parts])
    return pool.with_columns(
        pl.when(pl.col("source") == "corpus")
        .then(config.corpus_weight)
        .otherwise(1.0)
        .alias("weight")
    )


def fold_split(corpus: pl.DataFrame, group: str, style: str) -> dict[str, pl.DataFrame]:
    """train: other groups, other styles; strict: held group and style; targets: held group."""
    return {
        "train": corpus.filter((pl.col("group") != group) & (pl.col("style") != style)),
        "strict": corpus.filter((pl.col("group") == group) & (pl.col("style") == style)),
        "targets": corpus.filter(pl.col("group") == group),
    }


def model_labels(
    enc: PairEncoder, df: pl.DataFrame, targets: dict[str, Target], *, gate: str = "all"
) -> tuple[list[str], np.ndarray]:
    """Argmax labels and probabilities of a pair model on a dev table."""
    a, b = model_inputs(df, targets)
    p = enc.proba(a, b) if a else np.zeros((0, len(LABELS)), np.float32)
    labels = [LABELS[i] for i in p.argmax(axis=1)]
    if gate == "named":
        for i, (text, key, entity) in enumerate(
            zip(df["text"].to_list(), df["target"].to_list(), df["entity"].to_list(), strict=True)
        ):
            if entity and not is_named(text, targets[key]):
                labels[i] = "none"
    return labels, p


def _per_group(df: pl.DataFrame, fn: Callable[[pl.DataFrame, str], pl.DataFrame]) -> list[str]:
    """Run a table-level method (rules, VADER) per corpus group; pick each row's target."""
    out: dict[str, str] = {}
    for g in df["group"].unique(maintain_order=True).to_list():
        part = df.filter(pl.col("group") == g)
        texts = part.select(pl.col("text_id").alias("comment_id"), "text").unique(
            "comment_id", maintain_order=True
        )
        res = fn(texts.with_columns(pl.lit("dev").alias("thread_id")), g)
        lookup = {r["comment_id"]: r for r in res.iter_rows(named=True)}
        for rid, tid, key in part.select("id", "text_id", "target").iter_rows():
            out[rid] = lookup[tid].get(f"stance_{key}") or "none"
    return [out[r] for r in df["id"].to_list()]


def route_labels(df: pl.DataFrame, route: str) -> list[str]:
    """Labels of a non-model route on corpus rows: always_against, vader, rules,
    rules_generic (no seed cues), lexicon (generic cues + clause-scoped VADER)."""
    from .baselines import baseline_vader
    from .rules import StanceConfig, add_stance

    def tpath(g: str) -> str:
        return str(CORPUS_DIR / g / "targets.toml")

    if route == "always_against":
        return ["against"] * df.height
    if route == "vader":
        from .devdata import corpus_targets

        return _per_group(df, lambda t, g: baseline_vader(t, corpus_targets(g)))
    configs = {
        "rules": {},
        "rules_generic": {"use_seed_cues": False, "use_implicit_addressee": False},
        "lexicon": {"use_seed_cues": False, "use_implicit_addressee": False, "vader_weight": 1.0},
    }
    if route not in configs:
        raise ValueError(
            f"unknown route {route!r}; choose from always_against, vader, {', '.join(configs)}"
        )
    opts = configs[route]
    return _per_group(df, lambda t, g: add_stance(t, StanceConfig(targets_path=tpath(g), **opts)))


def abstain(model: Sequence[str], other: Sequence[str]) -> list[str]:
    """Ensemble with abstention: where the model and ``other`` take opposite positions, say
    neutral (keep the model elsewhere)."""
    opposite = {("favor", "against"), ("against", "favor")}
    return ["neutral" if (m, o) in opposite else m for m, o in zip(model, other, strict=True)]


def fill_in(model: Sequence[str], other: Sequence[str]) -> list[str]:
    """Ensemble: the model, except where it has no position (neutral) and ``other`` has one."""
    return [
        o if m == "neutral" and o in ("favor", "against") else m
        for m, o in zip(model, other, strict=True)
    ]


def score(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """agreement() with n, rounded for tables."""
    return {
        k: (round(v, 4) if isinstance(v, float) else v) for k, v in agreement(gold, pred).items()
    }


def corpus_and_targets() -> tuple[pl.DataFrame, dict[str, Target]]:
    """The whole written corpus and every corpus target."""
    return load_corpus(), all_corpus_targets()
