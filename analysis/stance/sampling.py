"""Which comments get hand-coded, recorded so that estimates can tell design from convenience.

Two ways a comment reaches a coder, and the columns that say which:

- ``draw_coding_sample``: a seeded probability sample (simple random sampling without
  replacement, or stratified with proportional, equal or given allocation). Rows carry
  ``sample_kind = "random"``, the exact ``inclusion_probability`` (n/N, or n_h/N_h in stratum
  h), ``sample_seed`` and ``sample_stratum``. Only these rows support design-based estimates
  (``analysis/stance/estimates.py``).
- ``select_for_training``: the n most uncertain rows, for training a classifier (active
  learning). Rows carry ``sample_kind = "active"`` and no inclusion probability: they are
  not a random sample, and design-based estimators ignore them.

``coding_sample`` and ``training_picks`` are what ``readerscope codebook --sample`` and
``--next`` call: the first maps ``stratify="thread"`` to the thread column, the second ranks
by the rule method's uncertainty (:func:`rule_uncertainty`) until trained stance models can
rank by theirs.

``read_coding_sheet`` reads those columns back from a filled sheet (a sheet without them, e.g.
an old one, gets ``sample_kind = "unknown"``), and ``merge_coding_sheets`` joins sheets of both
kinds, refusing what would break the design (two random draws, conflicting codes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from ..columns import NOT_ADDRESSED, score_column, stance_column

SAMPLE_KINDS = ("random", "active", "unknown")
SAMPLE_COLUMNS = {
    "sample_kind": pl.String,
    "inclusion_probability": pl.Float64,
    "sample_seed": pl.Int64,
    "sample_stratum": pl.String,
}
_PRECEDENCE = {"random": 0, "unknown": 1, "active": 2}

Allocation = Literal["proportional", "equal"] | Mapping[str, int]


def _apportion(weights: np.ndarray, n: int, caps: np.ndarray) -> np.ndarray:
    """Largest-remainder (Hamilton) apportionment of n in proportion to ``weights``, capped
    at ``caps``; ties go to the earlier stratum. Deterministic."""
    out = np.zeros(len(weights), dtype=np.int64)
    while (left := n - out.sum()) > 0:
        open_ = out < caps
        w = np.where(open_, weights, 0.0)
        if w.sum() <= 0:
            raise ValueError(f"cannot place {n} rows in strata of sizes {caps.tolist()}")
        quota = left * w / w.sum()
        add = np.floor(quota).astype(np.int64)
        rest = left - add.sum()
        order = np.lexsort((np.arange(len(w)), -(quota - add)))
        add[order[:rest]] += 1
        out = np.minimum(out + add, caps)
    return out


def allocate(sizes: Mapping[str, int], n: int, *, allocation: Allocation) -> dict[str, int]:
    """Rows to draw per stratum: proportional to stratum size (at least one row per stratum,
    taken from the largest allocations), equal, or as given (must sum to n)."""
    names = sorted(sizes)
    caps = np.array([sizes[k] for k in names], dtype=np.int64)
    if not 0 < n <= caps.sum():
        raise ValueError(f"need 0 < n <= {caps.sum()} rows, got {n}")
    if isinstance(allocation, Mapping):
        if unknown := sorted(set(allocation) - set(names)):
            raise ValueError(f"allocation names strata not in the table: {unknown[:5]}")
        out = {k: int(allocation.get(k, 0)) for k in names}
        if sum(out.values()) != n or any(out[k] > sizes[k] or out[k] < 0 for k in names):
            raise ValueError("allocation must sum to n with 0 <= n_h <= N_h in every stratum")
        return out
    if allocation not in ("proportional", "equal"):
        raise ValueError(f"allocation must be proportional, equal or a mapping: {allocation!r}")
    weights = caps.astype(float) if allocation == "proportional" else np.ones(len(caps))
    n_h = _apportion(weights, n, caps)
    for i in np.flatnonzero(n_h == 0):  # every stratum must have a chance to be drawn
        donor = int(np.argmax(n_h))
        if n_h[donor] <= 1:
            raise ValueError(f"n={n} is too small for {len(names)} strata")
        n_h[donor] -= 1
        n_h[i] = 1
    return dict(zip(names, n_h.tolist(), strict=True))


def _strata(df: pl.DataFrame, stratify: str | None) -> np.ndarray:
    if stratify is None:
        return np.full(df.height, "", dtype=object)
    if stratify not in df.columns:
        raise ValueError(f"no column {stratify!r} to stratify by")
    return np.array([str(v) for v in df[stratify].to_list()], dtype=object)


def inclusion_probabilities(
    df: pl.DataFrame,
    n: int,
    *,
    stratify: str | None = None,
    allocation: Allocation = "proportional",
) -> pl.Series:
    """Each row's probability of being drawn by ``draw_coding_sample`` with these options:
    n/N for a simple random sample without replacement, n_h/N_h in stratum h. Sums to n."""
    strata = _strata(df, stratify)
    names, sizes = np.unique(strata, return_counts=True)
    n_h = allocate(dict(zip(names.tolist(), sizes.tolist(), strict=True)), n, allocation=allocation)
    pi = {k: n_h[k] / s for k, s in zip(names.tolist(), sizes.tolist(), strict=True)}
    return pl.Series("inclusion_probability", [pi[s] for s in strata], pl.Float64)


def draw_coding_sample(
    df: pl.DataFrame,
    n: int,
    *,
    seed: int,
    stratify: str | None = None,
    allocation: Allocation = "proportional",
    order_by: str | None = "comment_id",
) -> pl.DataFrame:
    """A seeded random sample of n rows of ``df`` for hand coding, in ``df``'s row order.

    Without ``stratify``: simple random sampling without replacement, inclusion probability
    n/N. With it: n_h rows drawn without replacement in each stratum h (allocation
    proportional to N_h by largest remainders, "equal", or a mapping), probability n_h/N_h.
    Rows are put in ``order_by`` order (when that column exists) before drawing, so the draw
    does not depend on how ``df`` happens to be sorted. Same df, n, seed and options: same
    rows. Adds sample_kind ("random"), inclusion_probability, sample_seed, sample_stratum.
    """
    key = (
        np.argsort(df[order_by].cast(pl.String).to_numpy(), kind="stable")
        if order_by and order_by in df.columns
        else np.arange(df.height)
    )
    strata = _strata(df, stratify)
    pi = inclusion_probabilities(df, n, stratify=stratify, allocation=allocation).to_numpy()
    rng = np.random.default_rng(seed)
    picked = []
    for name in sorted(set(strata)):
        members = key[strata[key] == name]  # row positions of the stratum, in key order
        size = round(float(pi[members[0]]) * len(members))
        picked.append(rng.choice(members, size=size, replace=False))
    rows = np.sort(np.concatenate(picked))
    return df[rows].with_columns(
        pl.lit("random").alias("sample_kind"),
        pl.Series("inclusion_probability", pi[rows], pl.Float64),
        pl.lit(seed, pl.Int64).alias("sample_seed"),
        pl.Series(
            "sample_stratum", strata[rows].tolist() if stratify else [None] * len(rows), pl.String
        ),
    )


def select_for_training(
    df: pl.DataFrame,
    n: int,
    *,
    uncertainty: str | Sequence[float] | pl.Series,
    exclude: Sequence[object] | None = None,
    id_column: str = "comment_id",
) -> pl.DataFrame:
    """The n most uncertain rows (active learning), marked ``sample_kind = "active"`` with a
    null inclusion probability: they are chosen, not sampled, and must not enter
    design-based estimates. ``uncertainty``: a column name or per-row values (higher = more
    uncertain; nulls/NaN rank last). Ties go to the smaller ``id_column`` value (else the
    earlier row). ``exclude``: ids not to pick (e.g. already in the random sample)."""
    values = df[uncertainty] if isinstance(uncertainty, str) else pl.Series(list(uncertainty))
    if len(values) != df.height:
        raise ValueError("uncertainty must have one value per row")
    u = values.cast(pl.Float64).fill_nan(None).to_numpy()
    u = np.where(np.isnan(u), -np.inf, u)
    ids = (
        df[id_column].cast(pl.String).to_numpy()
        if id_column in df.columns
        else np.arange(df.height).astype(str)
    )
    allowed = ~np.isin(ids, [str(v) for v in (() if exclude is None else exclude)])
    tie = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    order = np.lexsort((tie, -u))
    rows = np.sort(order[allowed[order]][:n])
    return df[rows].with_columns(
        pl.lit("active").alias("sample_kind"),
        pl.lit(None, pl.Float64).alias("inclusion_probability"),
        pl.lit(None, pl.Int64).alias("sample_seed"),
        pl.lit(None, pl.String).alias("sample_stratum"),
    )


def read_coding_sheet(source: str | Path | pl.DataFrame) -> pl.DataFrame:
    """A filled coding sheet with its sampling columns checked and typed.

    CSV cells are read as text, stripped, and empty cells become null (so an uncoded row has
    null labels). A sheet without ``sample_kind`` (an old sheet) gets "unknown" in every row;
    an empty kind cell is "unknown" too. Random rows need an inclusion probability in (0, 1];
    active and unknown rows must have none.
    """
    df = pl.read_csv(source, infer_schema=False) if isinstance(source, str | Path) else source
    df = df.with_columns(
        pl.col(pl.String).str.strip_chars().replace("", None),
    )
    for name, dtype in SAMPLE_COLUMNS.items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype).alias(name))
    df = df.with_columns(
        pl.col("sample_kind").cast(pl.String).str.to_lowercase().fill_null("unknown"),
        pl.col("inclusion_probability").cast(pl.Float64),
        pl.col("sample_seed").cast(pl.Float64).cast(pl.Int64),
        pl.col("sample_stratum").cast(pl.String),
    )
    _check_sampling(df)
    return df


def _check_sampling(df: pl.DataFrame) -> None:
    kinds = set(df["sample_kind"].unique().to_list())
    if bad := sorted(kinds - set(SAMPLE_KINDS)):
        raise ValueError(f"sample_kind must be one of {SAMPLE_KINDS}, got {bad}")
    random = df["sample_kind"] == "random"
    pi = df.filter(random)["inclusion_probability"]
    if pi.null_count() or ((pi <= 0) | (pi > 1)).any():
        raise ValueError("random rows need an inclusion probability in (0, 1]")
    if df.filter(~random)["inclusion_probability"].drop_nulls().len():
        raise ValueError("active and unknown rows must not have an inclusion probability")


def merge_coding_sheets(
    *sheets: pl.DataFrame | str | Path, id_column: str = "comment_id"
) -> pl.DataFrame:
    """One sheet from several (random and active ones, old ones of unknown sampling).

    A comment in more than one sheet is kept once, with the sampling columns of its random
    row (else unknown, else active): being also picked on purpose does not undo having been
    drawn. Its codes must agree across sheets (non-null values that differ raise). Random
    rows of two different draws (seeds) raise: their union has no known inclusion
    probabilities.
    """
    frames = [read_coding_sheet(s) for s in sheets]
    both = pl.concat(frames, how="diagonal_relaxed")
    seeds = both.filter(pl.col("sample_kind") == "random")["sample_seed"].unique().to_list()
    if len(seeds) > 1:
        raise ValueError(f"random rows from different draws (seeds {sorted(map(str, seeds))})")
    both = both.with_columns(
        pl.col("sample_kind").replace_strict(_PRECEDENCE, return_dtype=pl.Int8).alias("_rank")
    ).sort(id_column, "_rank", maintain_order=True)
    codes = [c for c in both.columns if c not in SAMPLE_COLUMNS and c not in (id_column, "_rank")]
    clash = both.group_by(id_column).agg(
        [(pl.col(c).drop_nulls().n_unique() > 1).alias(c) for c in codes]
    )
    bad = clash.filter(pl.any_horizontal(codes)) if codes else clash.clear()
    if bad.height:
        raise ValueError(f"conflicting codes for {bad[id_column].head(5).to_list()}")
    first = both.group_by(id_column, maintain_order=True).agg(
        [pl.col(c).drop_nulls().first() for c in codes]
        + [pl.col(c).first() for c in SAMPLE_COLUMNS]
    )
    return first.select(both.drop("_rank").columns)


STRATA: dict[str, str] = {"thread": "thread_id"}
"""What a coding sample may be stratified by (``--stratify``), and the column it means."""


def coding_sample(
    comments: pl.DataFrame, n: int, *, seed: int, stratify: str | None = None
) -> pl.DataFrame:
    """``draw_coding_sample`` for the command line: ``stratify`` names one of ``STRATA``
    ("thread": n_h proportional to each thread's comments, every thread at least one)."""
    if stratify is not None and stratify not in STRATA:
        raise ValueError(f"cannot stratify by {stratify!r}; choose from {', '.join(STRATA)}")
    column = STRATA[stratify] if stratify else None
    return draw_coding_sample(comments, n, seed=seed, stratify=column)


def rule_uncertainty(df: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """How unsure the rule method is about each comment, 0 (sure) to 1 (unsure).

    The rules give each addressed target a signed score in [-1, 1]; a score near 0 means
    the cues for and against balance or are weak (a neutral label scores 0). A comment's
    uncertainty is 1 - min |score| over the targets it addresses: its least certain target
    decides. A comment that addresses no target gets 0, last in line: the rules saw no
    mention, and an uncertainty ranking cannot find the mentions they miss (the random
    sample measures those). Used by ``--next`` until trained models rank by their own
    probabilities.

    >>> df = pl.DataFrame({"stance_us": ["against", "neutral", "none"],
    ...                    "stance_us_score": [-0.8, 0.0, 0.0]})
    >>> rule_uncertainty(df, ["us"]).round(2).to_list()
    [0.2, 1.0, 0.0]
    """
    scores = [
        pl.when(pl.col(stance_column(k)) != NOT_ADDRESSED).then(pl.col(score_column(k)).abs())
        for k in keys
    ]
    if not scores:
        return pl.Series("uncertainty", [0.0] * df.height, pl.Float64)
    least = pl.min_horizontal(scores)
    return df.select((1.0 - least).fill_null(0.0).alias("uncertainty")).to_series()


def training_picks(
    df: pl.DataFrame,
    keys: Sequence[str],
    n: int,
    *,
    exclude: Sequence[object] = (),
    uncertainty: Sequence[float] | pl.Series | None = None,
) -> pl.DataFrame:
    """The n comments of the analysed table ``df`` to code next for training (active
    learning), by ``uncertainty`` (default: :func:`rule_uncertainty`), skipping the ids in
    ``exclude``. Marked ``sample_kind = "active"``: never a random sample."""
    if n <= 0:
        raise ValueError(f"need a positive number of comments, got {n}")
    values = rule_uncertainty(df, keys) if uncertainty is None else uncertainty
    return select_for_training(df, n, uncertainty=values, exclude=list(exclude))
