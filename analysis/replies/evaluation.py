"""Scoring inferred reply edges against hand-coded reply targets.

An *edge* is (position of the replying comment, target), the target being an earlier
position or ``'article'``. A predicted edge is correct only if the reference holds the
same edge; a predicted edge where the reference has none or another target is a false
positive, a reference edge not predicted exactly is a false negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import krippendorff
import numpy as np
import polars as pl

from ...comments.schema import ARTICLE

Edges = dict[int, str]
"""position -> target ('<position>' of an earlier comment, or 'article')."""

RESOURCES = Path(__file__).parent.parent / "resources"
REFERENCE_CODING = RESOURCES / "reference_coding.csv"
SECOND_CODING = RESOURCES / "second_coding.csv"


@dataclass(frozen=True)
class EdgeScores:
    """Counts and rates of predicted edges against reference edges."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def coded_edges(path: str | Path, column: str = "reply_to") -> Edges:
    """Reply edges from a coding CSV (columns position, reply_to: position/'article'/empty)."""
    df = pl.read_csv(path, infer_schema_length=0)
    out: Edges = {}
    for pos, target in df.select("position", column).iter_rows():
        if target is not None and target.strip():
            out[int(pos)] = target.strip().lower()
    return out


def predicted_edges(df: pl.DataFrame) -> Edges:
    """Reply edges of one thread's table (reply_to comment ids mapped back to positions)."""
    pos_of = dict(zip(df["comment_id"].to_list(), df["position"].to_list(), strict=True))
    out: Edges = {}
    for pos, target in df.select("position", "reply_to").iter_rows():
        if target is None:
            continue
        out[int(pos)] = ARTICLE if target == ARTICLE else str(pos_of[target])
    return out


def score_edges(pred: Edges, ref: Edges, only: str | None = None) -> EdgeScores:
    """Score ``pred`` against ``ref``; ``only`` = 'comment' or 'article' restricts both."""

    def keep(target: str) -> bool:
        return only is None or (target == ARTICLE) == (only == ARTICLE)

    p = {(k, v) for k, v in pred.items() if keep(v)}
    r = {(k, v) for k, v in ref.items() if keep(v)}
    return EdgeScores(tp=len(p & r), fp=len(p - r), fn=len(r - p))


def alpha_targets(a: Edges, b: Edges, n: int) -> float:
    """Krippendorff's alpha (nominal) of two codings' targets over comments 1..n.

    'none' (top-level) is a category of its own, so agreeing that a comment is not a
    reply counts as agreement.
    """
    labels = sorted({*a.values(), *b.values(), "none"})
    code = {lab: i for i, lab in enumerate(labels)}
    data = np.array(
        [[code[c.get(p, "none")] for p in range(1, n + 1)] for c in (a, b)], dtype=float
    )
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def by_method(df: pl.DataFrame, ref: Edges) -> pl.DataFrame:
    """Per reply_method: predicted edges, how many match the reference, precision."""
    pred = predicted_edges(df)
    rows = []
    methods = df.select("position", "reply_method").filter(pl.col("reply_method").is_not_null())
    for method, part in methods.group_by("reply_method", maintain_order=True):
        positions = part["position"].to_list()
        n = len(positions)
        correct = sum(1 for p in positions if ref.get(int(p)) == pred.get(int(p)))
        rows.append({"method": method[0], "edges": n, "correct": correct, "precision": correct / n})
    return pl.DataFrame(rows).sort("method")
