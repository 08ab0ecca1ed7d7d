"""Agreement of a stance labelling with human coding: the figures papers report.

Figures come from scikit-learn (accuracy, F1, Cohen's kappa) and the ``krippendorff``
package (alpha, nominal), not hand-written formulas. ``Favg`` is the SemEval-2016 Task 6
measure: the mean of the F1 of ``favor`` and of ``against`` (neutral/none count only
through the errors they cause).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from ..columns import STANCE_LABELS as LABELS
from .targets import Target


def agreement(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro-F1 (labels seen in either), Favg (SemEval-2016) and Cohen's kappa."""
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    gold, pred = list(gold), list(pred)
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return {
            "n": 0,
            "accuracy": float("nan"),
            "macro_f1": float("nan"),
            "favg": float("nan"),
            "kappa": float("nan"),
        }
    seen = [lab for lab in LABELS if lab in gold or lab in pred]
    kappa = cohen_kappa_score(gold, pred, labels=seen) if len(set(gold) | set(pred)) > 1 else 1.0
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(f1_score(gold, pred, labels=seen, average="macro", zero_division=0)),
        "favg": float(
            f1_score(gold, pred, labels=["favor", "against"], average="macro", zero_division=0)
        ),
        "kappa": float(kappa),
    }


def krippendorff_alpha(codings: Sequence[Sequence[str | None]]) -> float:
    """Krippendorff's alpha (nominal) for several coders' labels of the same units.

    ``codings[c][u]`` is coder c's label for unit u, or None when c did not code u.
    """
    import krippendorff

    codes = {lab: i for i, lab in enumerate(LABELS)}
    data = np.array(
        [[codes[x] if x is not None else np.nan for x in row] for row in codings], dtype=float
    )
    values = data[~np.isnan(data)]
    if values.size == 0 or np.unique(values).size < 2:
        return 1.0 if values.size else float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def agreement_table(
    gold: pl.DataFrame, pred: pl.DataFrame, targets: Sequence[Target], *, name: str = "method"
) -> pl.DataFrame:
    """Per target (and pooled 'all'): n, accuracy, macro_f1, favg, kappa of ``pred`` vs ``gold``.

    Both frames hold comment_id and stance_<key>; cells that are null in ``gold`` (not coded)
    are left out for that target.
    """
    joined = gold.select(
        "comment_id", *[pl.col(f"stance_{t.key}").alias(f"g_{t.key}") for t in targets]
    ).join(
        pred.select(
            "comment_id", *[pl.col(f"stance_{t.key}").alias(f"p_{t.key}") for t in targets]
        ),
        on="comment_id",
        how="inner",
    )
    rows, all_g, all_p = [], [], []
    for t in targets:
        pairs = joined.select(f"g_{t.key}", f"p_{t.key}").drop_nulls(f"g_{t.key}")
        g = pairs[f"g_{t.key}"].to_list()
        p = [x or "none" for x in pairs[f"p_{t.key}"].to_list()]
        all_g += g
        all_p += p
        rows.append({"model": name, "target": t.key, **agreement(g, p)})
    rows.append({"model": name, "target": "all", **agreement(all_g, all_p)})
    return pl.DataFrame(rows).with_columns(pl.col("n").cast(pl.Int64))


def inter_coder(codings: Sequence[pl.DataFrame], targets: Sequence[Target]) -> pl.DataFrame:
    """Agreement between coders: per target Krippendorff's alpha (all coders) and, for
    each pair, Cohen's kappa and raw agreement."""
    ids = sorted(set.intersection(*[set(c["comment_id"].to_list()) for c in codings]))
    rows = []
    for t in targets:
        col = f"stance_{t.key}"
        labels = [
            dict(zip(c["comment_id"].to_list(), c[col].to_list(), strict=True)) for c in codings
        ]
        matrix = [[lab.get(i) for i in ids] for lab in labels]
        row = {"target": t.key, "n": len(ids), "alpha": krippendorff_alpha(matrix)}
        if len(codings) == 2:
            both = [(a, b) for a, b in zip(*matrix, strict=True) if a and b]
            stats = agreement([a for a, _ in both], [b for _, b in both])
            row.update(
                kappa=stats["kappa"], percent_agreement=stats["accuracy"], favg=stats["favg"]
            )
        rows.append(row)
    return pl.DataFrame(rows)


def bootstrap_interval(
    gold: pl.DataFrame,
    pred: pl.DataFrame,
    targets: Sequence[Target],
    metric: str = "favg",
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a pooled metric, resampling comments (all targets
    of a comment travel together, since they share one reader and one text)."""
    cols = [f"stance_{t.key}" for t in targets]
    joined = gold.select("comment_id", *cols).join(
        pred.select("comment_id", *[pl.col(c).alias(f"p_{c}") for c in cols]),
        on="comment_id",
        how="inner",
    )
    g = joined.select(cols).to_numpy()
    p = joined.select([f"p_{c}" for c in cols]).fill_null("none").to_numpy()
    rng = np.random.default_rng(random_state)
    stats = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(g), len(g))
        gg, pp = g[idx].ravel(), p[idx].ravel()
        keep = np.array([x is not None for x in gg])
        stats.append(agreement(list(gg[keep]), list(pp[keep]))[metric])
    lo, hi = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)
