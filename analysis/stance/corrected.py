"""Stance shares a paper can cite: naive, corrected and coded, with 95% intervals.

This module joins the analysed comment table with filled coding sheets and runs the
estimators of :mod:`.estimates` for every target: shares of ALL comments per label (``none``
included, so the labels of each estimator describe the whole table), differences between
targets, per thread, per topic and among users, plus the validation of the labelling on the
coded rows. The summary, the figures and the notebook all read the one
:class:`StanceEstimates` it returns, so the numbers agree everywhere they are shown.

How coded rows count (see docs/estimates.md): rows drawn at random (``sample_kind ==
"random"``, from ``readerscope codebook --sample``) support design-based estimates;
active-learning picks (``--next``) never do; rows of an old sheet without sampling columns
are "sampling unknown" and their estimates say "not design-based". When every comment is
coded (a census, e.g. the shipped reference coding of the sample thread), the corrected
share is the coded share, exact for these comments.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl

from ...comments.errors import InputError
from ..columns import AGAINST, DISPLAY_ORDER, FAVOR, stance_column
from . import estimates as est
from .agreement import agreement_table
from .sampling import SAMPLE_COLUMNS, merge_coding_sheets, read_coding_sheet

ALPHA = 0.05
"""Intervals are 95%."""
DIFFERENCE_LABELS: tuple[str, ...] = (AGAINST, FAVOR)
"""Labels whose between-target differences are reported (against-US minus against-China)."""
USER_CAVEAT = (
    "a user's stance is their modal label (ties split evenly); it is known only when all of "
    "the user's comments are coded, so with a sample of comments users with several comments "
    "are rarely fully coded: their modal stance is corrected only in expectation and the "
    "interval can under-cover (89-93% in the simulation of docs/estimates.md); for claims "
    "about users, sample users and code all their comments"
)
ESTIMATE_COLUMNS = ("label", "estimator", "estimate", "lower", "upper", "n", "method", "note")


# ----------------------------------------------------------------------------------------
# Reading coded sheets
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodedSheets:
    """Filled coding sheets, merged: one row per coded comment.

    frame: comment_id, one ``stance_<key>`` column per target (null: not coded) and the
        sampling columns (sample_kind, inclusion_probability, sample_seed, sample_stratum).
    sources: per sheet its path and sha256 (for manifests).
    """

    frame: pl.DataFrame
    sources: tuple[dict[str, str], ...]


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError(path, "coding sheet not found") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(path, f"not a readable CSV file ({err})") from None


def read_coded_sheet(path: str | Path, comments: pl.DataFrame, targets: Sequence) -> pl.DataFrame:
    """One filled sheet: its labels (checked by :func:`.coding.read_coding`) beside its
    sampling columns (checked by :func:`.sampling.read_coding_sheet`; none: "unknown").

    Rows are found by comment_id, or by position when the table holds one thread (positions
    repeat across threads). Unusable sheets raise InputError naming the file.
    """
    from .coding import read_coding

    path = Path(path)
    rows = _rows(path)
    threads = comments["thread_id"].n_unique() if "thread_id" in comments.columns else 1
    if rows and "comment_id" not in rows[0] and threads > 1:
        raise InputError(
            path, f"needs a comment_id column: positions repeat across {threads} threads"
        )
    labels = read_coding(path, targets, comments)
    codes = [stance_column(t.key) for t in targets]
    if labels.select(pl.all_horizontal(pl.col(codes).is_null())).to_series().all():
        raise InputError(path, "no coded cells: fill the stance_<target> columns first")
    present = [c for c in SAMPLE_COLUMNS if rows and c in rows[0]]
    sampling = pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in present}, schema={c: pl.String for c in present}
    )
    try:
        return read_coding_sheet(pl.concat([labels, sampling], how="horizontal"))
    except (ValueError, pl.exceptions.PolarsError) as err:
        raise InputError(path, f"sampling columns: {str(err).splitlines()[0]}") from None


def read_coded_sheets(
    paths: Sequence[str | Path], comments: pl.DataFrame, targets: Sequence
) -> CodedSheets:
    """Several filled sheets (random samples, active-learning picks, old sheets) as one.

    A comment in several sheets is kept once, with its random row's sampling columns;
    conflicting codes or two different random draws raise InputError (``--coded``).
    """
    from ..provenance import sha256_file

    frames = [read_coded_sheet(p, comments, targets) for p in paths]
    try:
        merged = merge_coding_sheets(*frames)
    except ValueError as err:
        raise InputError("--coded", f"cannot merge the sheets: {err}") from None
    sources = tuple({"path": str(p), "sha256": sha256_file(p)} for p in paths)
    return CodedSheets(merged, sources)


# ----------------------------------------------------------------------------------------
# The estimates
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StanceEstimates:
    """Every stance estimate of one analysed table (and its coded sheets, if any).

    shares: target, label, estimator, estimate, lower, upper, n, method, note (shares of
        all comments; estimators naive, and with coded sheets corrected and coded).
    differences: first, second, stance, then the same columns (first minus second).
    by_thread, by_topic: group, target, then the same columns (shares of the group).
    users: target, then the same columns (shares of users by modal stance).
    validation: target (and "all"), n, accuracy, macro_f1, favg, kappa of the labelling
        against the coded rows it is validated on (empty when not validated).
    labelling: one line, how stance was labelled (``method``) and how it was validated.
    sample: one line, what the coded sample is and how the estimates use it.
    """

    shares: pl.DataFrame
    differences: pl.DataFrame
    by_thread: pl.DataFrame
    by_topic: pl.DataFrame
    users: pl.DataFrame
    validation: pl.DataFrame
    labelling: str
    sample: str
    coded: bool
    census: bool
    method: str = "rules"
    user_caveat: str = USER_CAVEAT

    @property
    def estimator(self) -> str:
        """The estimator a figure should draw: corrected with coded sheets, else naive."""
        return "corrected" if self.coded else "naive"

    def corrected_method(self, key: str) -> str | None:
        """The method behind the corrected shares of ``key`` (None without coded sheets)."""
        return _method(self.shares.filter(target=key, estimator="corrected"))


_TUNED = re.compile(r"^(?P<head>.*?) \((?P<param>lambda=[^)]*)\)(?P<tail>.*)$")


def _method(rows: pl.DataFrame) -> str | None:
    """One method string for a target's labels: the common one; PPI++ with the tuned lambda
    of each label ("PPI++ power-tuned (against lambda=0.80, favor lambda=0.71, ...)"); else
    one per label."""
    found = [(r["label"], r["method"]) for r in rows.iter_rows(named=True) if r["method"]]
    methods = list(dict.fromkeys(m for _, m in found))
    if not methods:
        return None
    if len(methods) == 1:
        return methods[0]
    parts = [(label, _TUNED.match(m)) for label, m in found]
    if all(p for _, p in parts) and len({(p["head"], p["tail"]) for _, p in parts}) == 1:
        first = parts[0][1]
        params = ", ".join(f"{label} {p['param']}" for label, p in parts)
        return f"{first['head']} ({params}){first['tail']}"
    return "; ".join(f"{label}: {m}" for label, m in found)


@dataclass(frozen=True)
class _Aligned:
    """The coded rows that are comments of the table, in sheet order, with the table's
    labels (pred), the coders' labels (gold), groups and the design."""

    pred: dict[str, pl.Series]
    gold: dict[str, pl.Series]
    threads: pl.Series
    topics: pl.Series | None
    users: pl.Series
    ids: pl.Series
    sample: est.CodedSample | list


def _user_ids(df: pl.DataFrame) -> pl.Series:
    """The user of each comment; an unnamed comment is its own user (not one big one)."""
    if "user" not in df.columns:
        return df["comment_id"].cast(pl.String)
    name = pl.col("user").cast(pl.String)
    return df.select(
        pl.when(name.is_null()).then("(unnamed) " + pl.col("comment_id")).otherwise(name)
    ).to_series()


def _topics(df: pl.DataFrame) -> pl.Series | None:
    if "topic" not in df.columns or df["topic"].null_count() == df.height:
        return None
    return df["topic"].cast(pl.String).fill_null("none")


def _align(df: pl.DataFrame, keys: Sequence[str], coded: pl.DataFrame | None) -> _Aligned:
    """Join the coded rows to the table (coded rows of comments not in it are dropped; the
    sheet readers refuse them before this)."""
    table = df.select(
        "comment_id",
        pl.col("thread_id").cast(pl.String).alias("_thread"),
        _user_ids(df).alias("_user"),
        (_topics(df) if _topics(df) is not None else pl.lit(None, pl.String)).alias("_topic"),
        *[pl.col(stance_column(k)).alias(f"_pred{i}") for i, k in enumerate(keys)],
    )
    if coded is None:
        rows = table.clear().with_columns(
            *[pl.lit(None, pl.String).alias(f"_gold{i}") for i in range(len(keys))],
            *[pl.lit(None, t).alias(c) for c, t in SAMPLE_COLUMNS.items()],
        )
    else:
        sheet = coded.select(
            "comment_id", *SAMPLE_COLUMNS,
            *[pl.col(stance_column(k)).alias(f"_gold{i}") for i, k in enumerate(keys)],
        )  # fmt: skip
        rows = sheet.join(table, on="comment_id", how="inner", maintain_order="left")
    return _Aligned(
        pred={k: rows[f"_pred{i}"] for i, k in enumerate(keys)},
        gold={k: rows[f"_gold{i}"] for i, k in enumerate(keys)},
        threads=rows["_thread"],
        topics=rows["_topic"] if _topics(df) is not None else None,
        users=rows["_user"],
        ids=rows["comment_id"],
        sample=est.CodedSample.from_frame(rows) if coded is not None else [],
    )


def _tag(table: pl.DataFrame, **columns: str) -> pl.DataFrame:
    return table.select(*[pl.lit(v).alias(k) for k, v in columns.items()], pl.all())


def _shares(df: pl.DataFrame, keys: Sequence[str], a: _Aligned) -> pl.DataFrame:
    parts = [
        _tag(
            est.share_estimates(
                df[stance_column(k)], a.pred[k], a.gold[k],
                inclusion=a.sample, labels=DISPLAY_ORDER, alpha=ALPHA,
            ),
            target=k,
        )
        for k in keys
    ]  # fmt: skip
    return pl.concat(parts) if parts else _empty("target")


def _differences(df: pl.DataFrame, keys: Sequence[str], a: _Aligned) -> pl.DataFrame:
    parts = []
    for first, second in combinations(keys, 2):
        for label in DIFFERENCE_LABELS:
            table = est.difference_estimates(
                (df[stance_column(first)], df[stance_column(second)]),
                (a.pred[first], a.pred[second]),
                (a.gold[first], a.gold[second]),
                labels=(label, label), targets=(first, second), inclusion=a.sample, alpha=ALPHA,
            )  # fmt: skip
            parts.append(_tag(table, first=first, second=second, stance=label))
    return pl.concat(parts) if parts else _empty("first", "second", "stance")


def _groups(
    df: pl.DataFrame, keys: Sequence[str], a: _Aligned, groups: pl.Series, coded: pl.Series
) -> pl.DataFrame:
    parts = [
        est.subgroup_estimates(
            df[stance_column(k)], a.pred[k], a.gold[k], groups, coded,
            inclusion=a.sample, labels=DISPLAY_ORDER, alpha=ALPHA,
        ).select("group", pl.lit(k).alias("target"), *ESTIMATE_COLUMNS)
        for k in keys
    ]  # fmt: skip
    return pl.concat(parts) if parts else _empty("group", "target")


def _users(df: pl.DataFrame, keys: Sequence[str], a: _Aligned) -> pl.DataFrame:
    users = _user_ids(df)
    parts = [
        _tag(
            est.user_estimates(
                df[stance_column(k)], users, a.gold[k], a.users,
                inclusion=a.sample, labels=DISPLAY_ORDER, alpha=ALPHA,
            ),
            target=k,
        )
        for k in keys
    ]  # fmt: skip
    return pl.concat(parts) if parts else _empty("target")


def _empty(*columns: str) -> pl.DataFrame:
    return pl.DataFrame(schema={**{c: pl.String for c in columns}, **est.SCHEMA})


def _naive_only(table: pl.DataFrame, coded: bool) -> pl.DataFrame:
    return table if coded else table.filter(pl.col("estimator") == "naive")


def stance_estimates(
    df: pl.DataFrame,
    keys: Sequence[str],
    coded: CodedSheets | pl.DataFrame | None = None,
    *,
    method: str = "rules",
) -> StanceEstimates:
    """Every stance estimate of the analysed table ``df`` for targets ``keys``.

    ``coded``: the merged coding sheets (:func:`read_coded_sheets`), or None for naive
    shares only. ``method``: how stance was labelled (``config.stance.method``), for the
    labelling line. Degenerate cases (too few coded rows, no variation, only active-learning
    picks, ...) come back as null numbers with the reason in ``note``.
    """
    frame = coded.frame if isinstance(coded, CodedSheets) else coded
    a = _align(df, keys, frame)
    has = frame is not None
    topics = _topics(df)
    shares = _naive_only(_shares(df, keys, a), has)
    census = has and bool(
        shares.filter(estimator="corrected")["method"].str.starts_with(est.CENSUS).all()
    )
    validation, labelling = _validation(df, keys, a, method, census=census)
    return StanceEstimates(
        shares=shares,
        differences=_naive_only(_differences(df, keys, a), has),
        by_thread=_naive_only(
            _groups(df, keys, a, df["thread_id"].cast(pl.String), a.threads), has
        ),
        by_topic=_naive_only(_groups(df, keys, a, topics, a.topics), has)
        if topics is not None
        else _empty("group", "target"),
        users=_naive_only(_users(df, keys, a), has),
        validation=validation,
        labelling=labelling,
        sample=_sample_line(frame, df.height, census=census),
        coded=has,
        census=census,
        method=method,
    )


# ----------------------------------------------------------------------------------------
# Validation and the lines that describe it
# ----------------------------------------------------------------------------------------


def _kinds(a: _Aligned) -> np.ndarray:
    return a.sample.kind if isinstance(a.sample, est.CodedSample) else np.array([], object)


def _validation(
    df: pl.DataFrame, keys: Sequence[str], a: _Aligned, method: str, *, census: bool
) -> tuple[pl.DataFrame, str]:
    """Agreement of the labelling with the coded rows it may be judged on: the random rows
    (else, in a census, every row; else rows of unknown sampling, said to be so). Active
    picks over-represent hard comments, so they never validate."""
    kinds = _kinds(a)
    empty = pl.DataFrame(schema={"target": pl.String, "n": pl.Int64})
    if not len(kinds):
        return empty, f"{method}; not validated on this corpus"
    use = next((k for k in ("random", "unknown") if (kinds == k).any()), None)
    if use is None:
        return empty, (
            f"{method}; not validated on this corpus: the {len(kinds)} coded comments are "
            "active-learning picks, not a random sample"
        )
    keep = kinds == use
    gold = pl.DataFrame(
        {
            "comment_id": a.ids.filter(keep),
            **{stance_column(k): a.gold[k].filter(keep) for k in keys},
        }
    )
    pred = df.select("comment_id", *[stance_column(k) for k in keys])
    targets = [SimpleNamespace(key=k) for k in keys]
    table = agreement_table(gold, pred, targets, name=method).drop("model")
    n = int(gold.select(~pl.all_horizontal(pl.exclude("comment_id").is_null())).to_series().sum())
    pooled = table.filter(target="all").row(0, named=True)
    scores = f"Favg {pooled['favg']:.2f}, kappa {pooled['kappa']:.2f}"
    if census:
        where = f"all {n} comments of this corpus (every comment coded)"
    elif use == "random":
        where = f"{n} randomly sampled coded comments"
    else:
        where = f"{n} coded comments of unknown sampling (not known to be random: read with care)"
    return table, f"{method}; validated on {where}: {scores}"


def _sample_line(frame: pl.DataFrame | None, total: int, *, census: bool) -> str:
    """What the coded sample is, and what the estimates do with each part of it."""
    if frame is None:
        return "no coded sample: naive shares only (the classifier's, ignoring its errors)"
    counts: Mapping[str, int] = dict(frame["sample_kind"].value_counts().iter_rows())
    parts = []
    if census:
        parts.append(
            f"every one of the {total} comments is coded (a census): corrected shares are exact "
            "for these comments; the coded interval treats them as a sample of comments like them"
        )
    if k := counts.get("random", 0):
        parts.append(f"{k} comments drawn at random{_design(frame)}")
    if k := counts.get("unknown", 0):
        use = (
            "not used: random rows present"
            if counts.get("random")
            else "no sampling columns"
            if census
            else "no sampling columns: estimates not design-based"
        )
        parts.append(f"{k} of unknown sampling ({use})")
    if k := counts.get("active", 0):
        parts.append(f"{k} active-learning picks (never used as a random sample)")
    return "coded sample: " + "; ".join(parts)


def _design(frame: pl.DataFrame) -> str:
    random = frame.filter(sample_kind="random")
    seeds = random["sample_seed"].drop_nulls().unique().to_list()
    strata = random["sample_stratum"].drop_nulls().n_unique()
    bits = [f"seed {seeds[0]}"] if len(seeds) == 1 else []
    bits += [f"stratified, {strata} strat{'um' if strata == 1 else 'a'}"] if strata else []
    return f" ({', '.join(bits)})" if bits else ""


# ----------------------------------------------------------------------------------------
# Plain data for the summary (JSON)
# ----------------------------------------------------------------------------------------


def _number(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def nested(table: pl.DataFrame, *by: str) -> dict[str, Any]:
    """``{by...: {label: {estimator: {estimate, lower, upper, n, note}}}}`` from an estimate
    table (by: e.g. "target", or "group", "target")."""
    out: dict[str, Any] = {}
    for r in table.iter_rows(named=True):
        node = out
        for col in (*by, "label"):
            node = node.setdefault(str(r[col]), {})
        node[r["estimator"]] = {
            "estimate": _number(r["estimate"]),
            "lower": _number(r["lower"]),
            "upper": _number(r["upper"]),
            "n": r["n"],
            "note": r["note"],
        }
    return out
