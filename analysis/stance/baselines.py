"""Trivial stance baselines, measured beside every method in the same run."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ..sentiment.vader import score_text
from ..text.sentences import split_sentences
from .targets import Target


def baseline_always(df: pl.DataFrame, targets: Sequence[Target], label: str = "against"):
    """Every comment gets ``label`` for every target (the 'always against' baseline)."""
    return df.select("comment_id", *[pl.lit(label).alias(f"stance_{t.key}") for t in targets])


def baseline_vader(
    df: pl.DataFrame, targets: Sequence[Target], threshold: float = 0.05
) -> pl.DataFrame:
    """VADER compound averaged over the sentences that name the target: >= threshold favor,
    <= -threshold against, else neutral; a target never named is none."""
    out: dict[str, list[str]] = {f"stance_{t.key}": [] for t in targets}
    for text in df["text"].to_list():
        sentences = split_sentences(text or "")
        for t in targets:
            named = [s for s in sentences if t.pattern.search(s)]
            if not named:
                out[f"stance_{t.key}"].append("none")
                continue
            mean = sum(score_text(s)["compound"] for s in named) / len(named)
            out[f"stance_{t.key}"].append(
                "favor" if mean >= threshold else "against" if mean <= -threshold else "neutral"
            )
    return df.select("comment_id").with_columns(
        pl.Series(k, v, dtype=pl.String) for k, v in out.items()
    )
