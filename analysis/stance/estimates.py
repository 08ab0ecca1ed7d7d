"""Stance shares corrected for classifier error, with confidence intervals, from a coded sample.

The classifier labels all N comments; a hand-coded sample of n of them carries the true label.
Each estimand is a mean over the N comments (or over a group of them) of a per-item value
``y_i`` (an indicator such as 1{stance = against}, or a difference of two indicators). The
classifier's version of the same value is ``f_i``. Three estimators are reported:

``naive``
    mean of f over all N items with a classical interval (Wilson for proportions). It ignores
    classifier error: the interval covers the classifier's share, not the true share.
``corrected``
    prediction-powered. With a uniform random sample (every coded row has the same inclusion
    probability) it is PPI++ with power tuning (Angelopoulos, Bates, Fannjiang, Jordan, Zrnic,
    Science 382, 2023, "Prediction-powered inference"; Angelopoulos, Duchi, Zrnic 2023,
    "PPI++: Efficient prediction-powered inference", arXiv:2311.01453)::

        theta_lambda = lambda * mean_N(f) + mean_n(y - lambda * f)
        lambda       = clip(cov_n(y, f) / var_n(f), 0, 1)
        var          = (1 - n/N) * var_n(y - lambda * f) / n

    When inclusion probabilities vary (stratified or other unequal-probability designs) it is
    design-based supervised learning, DSL (Egami, Hinck, Stewart, Wei, NeurIPS 2023, "Using
    imperfect surrogates for downstream inference"): the mean of the pseudo-outcome
    ``f_i + R_i / pi_i * (y_i - f_i)`` (R_i = 1 if coded), i.e. a Horvitz-Thompson correction::

        theta = mean_N(f) + (1/N) * sum_coded (y_i - f_i) / pi_i

    computed in its Hajek form (N replaced by sum_coded 1/pi_i, the same number for simple and
    stratified random samples of the whole table), with the stratified variance
    ``sum_h N_h^2 (1 - pi_h) s_h^2 / n_h / N^2`` (N_h = n_h / pi_h; Cochran 1977 ch. 5), or
    the Poisson-sampling variance ``sum (1 - pi_i) d_i^2 / pi_i^2 / N^2`` when strata cannot
    be formed (Sarndal, Swensson, Wretman 1992, eqs. 3.4.4 and 5.7).
``coded``
    the coded sample alone: the same machinery with f = 0. Proportions get a Wilson interval
    (statsmodels), from the design's effective sample size n_eff = p(1-p)/var when weighted.

The estimand is the share among the N comments at hand (finite population): mean_N(f) is then
known exactly and only the choice of coded rows is random, hence the (1 - n/N) factor. The
superpopulation form of PPI++ (ppi_py's ``ppi_mean_ci``) would add lambda^2 var(f)/N; see
docs/estimates.md.

A census (every comment of the table, or of the group, coded) is a case apart: the share of
these comments is then known exactly (given the coders), so ``corrected`` is the coded share
with lower = upper and the method "census ..."; ``coded`` keeps its Wilson interval, which
treats the comments as a sample of comments like them (a model, not the design).

Only rows drawn by a known random design (``sample_kind == "random"``) enter design-based
estimates. Active-learning picks are ignored (said in ``note``); a sheet whose sampling is
unknown is treated as a simple random sample and its estimates are marked "not design-based".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import polars as pl
from statsmodels.stats.proportion import proportion_confint

LABELS = ("favor", "against", "neutral", "none")
SAMPLE_KINDS = ("random", "active", "unknown")
ESTIMATORS = ("naive", "corrected", "coded")
MIN_CODED = 10
MAX_WIDTH = 0.5
NOT_DESIGN_BASED = "not design-based"
CENSUS = "census"
"""Method prefix of a corrected estimate from a census (every comment of the domain coded)."""
SCHEMA = {
    "label": pl.String,
    "estimator": pl.String,
    "estimate": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "n": pl.Int64,
    "method": pl.String,
    "note": pl.String,
}

Labels = Sequence[str | None] | pl.Series | np.ndarray


# ----------------------------------------------------------------------------------------
# How coded rows came to be coded
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CodedSample:
    """Per coded row (sheet order): how it came to be coded.

    kind: "random" (drawn by a known probability design), "active" (picked on purpose, e.g.
        the most uncertain rows for training: non-random), or "unknown" (an old sheet with no
        sampling column).
    inclusion: the design's inclusion probability pi_i of each random row, 0 < pi_i <= 1;
        NaN (or None) for active and unknown rows, which have none.
    stratum: optional design stratum of each random row; pi must be constant within one.
    """

    kind: np.ndarray
    inclusion: np.ndarray
    stratum: np.ndarray | None = None

    def __post_init__(self) -> None:
        kind = np.array([("unknown" if k is None else str(k)) for k in self.kind], dtype=object)
        pi = np.array([np.nan if p is None else p for p in self.inclusion], dtype=float)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "inclusion", pi)
        if self.stratum is not None:
            object.__setattr__(self, "stratum", np.array(self.stratum, dtype=object))
        _validate_sample(self)

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def simple_random(cls, n: int, population: int) -> CodedSample:
        """n rows of a simple random sample without replacement of ``population`` items."""
        if not 0 < n <= population:
            raise ValueError(f"need 0 < n <= population, got n={n}, population={population}")
        return cls(np.full(n, "random", dtype=object), np.full(n, n / population))

    @classmethod
    def unknown(cls, n: int) -> CodedSample:
        """n rows whose sampling is unknown (estimates will be marked not design-based)."""
        return cls(np.full(n, "unknown", dtype=object), np.full(n, np.nan))

    @classmethod
    def from_frame(cls, sheet: pl.DataFrame) -> CodedSample:
        """From a coding sheet's ``sample_kind``, ``inclusion_probability`` and optional
        ``sample_stratum`` columns; a missing ``sample_kind`` column means sampling unknown."""
        n = sheet.height
        if "sample_kind" not in sheet.columns:
            return cls.unknown(n)
        kind = sheet["sample_kind"].to_list()
        pi = (
            sheet["inclusion_probability"].cast(pl.Float64).to_list()
            if "inclusion_probability" in sheet.columns
            else [None] * n
        )
        stratum = sheet["sample_stratum"].to_list() if "sample_stratum" in sheet.columns else None
        if stratum is not None and all(
            h is None for h, k in zip(stratum, kind, strict=True) if k == "random"
        ):
            stratum = None  # a simple random sample: no strata
        return cls(np.array(kind, dtype=object), np.array(pi, dtype=object), stratum)


def _validate_sample(s: CodedSample) -> None:
    bad = sorted(set(s.kind) - set(SAMPLE_KINDS))
    if bad:
        raise ValueError(f"sample_kind must be one of {SAMPLE_KINDS}, got {bad}")
    if len(s.inclusion) != len(s.kind):
        raise ValueError("kind and inclusion differ in length")
    random = s.kind == "random"
    pi = s.inclusion[random]
    if np.any(~np.isfinite(pi)) or np.any((pi <= 0) | (pi > 1)):
        raise ValueError("random rows need an inclusion probability in (0, 1]")
    if np.any(np.isfinite(s.inclusion[~random])):
        raise ValueError("active and unknown rows have no inclusion probability (leave it null)")
    if s.stratum is None:
        return
    if len(s.stratum) != len(s.kind):
        raise ValueError("stratum and kind differ in length")
    for h in set(s.stratum[random]):
        in_h = s.inclusion[random & (s.stratum == h)]
        if np.ptp(in_h) > 1e-12:
            raise ValueError(f"inclusion probability varies within stratum {h!r}")


@dataclass(frozen=True)
class _Design:
    """The coded rows a design-based estimate may use, and with what probabilities."""

    used: np.ndarray  # bool, per coded row
    pi: np.ndarray | None  # effective inclusion probability per coded row; None: unknown
    cells: np.ndarray  # int stratum code per coded row (-1 where unused)
    notes: tuple[str, ...]
    refused: str | None
    design_based: bool = True


def _resolve(sample: CodedSample, coded: np.ndarray) -> _Design:
    """Which rows count: random rows if any (ignoring active and unknown ones), else unknown
    rows (not design-based), else none (refused). ``coded``: the row has a gold label.
    Drawn-but-uncoded random rows are taken as missing at random within their stratum: the
    stratum's inclusion probability is scaled by coded/drawn."""
    kind = sample.kind
    counts = {k: int(np.sum(kind == k)) for k in SAMPLE_KINDS}
    notes = []
    if counts["active"]:
        notes.append(f"ignored {counts['active']} active-learning rows (non-random)")
    if counts["random"]:
        if counts["unknown"]:
            notes.append(f"ignored {counts['unknown']} rows of unknown sampling")
        used = (kind == "random") & coded
        cells = _cells(sample, kind == "random")
        pi = _effective_pi(sample.inclusion, cells, kind == "random", used)
        if (dropped := counts["random"] - int(used.sum())) > 0:
            notes.append(f"{dropped} drawn rows not coded (taken as missing at random)")
        return _Design(used, pi, np.where(used, cells, -1), tuple(notes), None)
    if counts["unknown"]:
        used = (kind == "unknown") & coded
        notes.append("sampling unknown: treated as a simple random sample")
        return _Design(used, None, np.where(used, 0, -1), tuple(notes), None, False)
    reason = (
        f"all {counts['active']} coded rows are active-learning picks (non-random): "
        "design-based estimates refused"
        if counts["active"]
        else "no coded rows"
    )
    return _Design(coded & False, None, np.full(len(kind), -1), tuple(notes), reason)


def _cells(sample: CodedSample, random: np.ndarray) -> np.ndarray:
    """Stratum code per random row: the given stratum, else one cell per distinct inclusion
    probability (rows of a stratified sample share their stratum's pi)."""
    key = sample.stratum if sample.stratum is not None else sample.inclusion
    codes = np.full(len(random), -1)
    if random.any():
        values = [str(v) for v in np.asarray(key)[random]]
        codes[random] = np.unique(values, return_inverse=True)[1]
    return codes


def _effective_pi(
    pi: np.ndarray, cells: np.ndarray, random: np.ndarray, used: np.ndarray
) -> np.ndarray:
    out = np.full(len(pi), np.nan)
    for c in np.unique(cells[random]):
        drawn, kept = random & (cells == c), used & (cells == c)
        if kept.any():
            out[kept] = pi[kept] * kept.sum() / drawn.sum()
    return out


# ----------------------------------------------------------------------------------------
# Vectorised kernels (leading axes are replicates; the last axis is the coded rows)
# ----------------------------------------------------------------------------------------


def ppi_mean(
    f_mean_all: float | np.ndarray,
    n_all: int,
    f_c: np.ndarray,
    y_c: np.ndarray,
    *,
    tune: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PPI++ for a mean over a finite population of ``n_all`` items, from a simple random
    sample without replacement (coded rows along the last axis).

    theta = lambda * mean_N(f) + mean_n(y - lambda f)  (Angelopoulos et al. 2023, eq. PPI++),
    lambda = clip(cov_n(y, f) / var_n(f), 0, 1) (the variance-minimising power tuning when
    mean_N(f) is known exactly; 0 when f does not vary), se^2 = (1 - n/N) var_n(y - lambda f)/n.
    ``tune=False`` uses lambda = 1 (plain PPI). Returns (estimate, se, lambda).
    """
    f_c, y_c = np.asarray(f_c, float), np.asarray(y_c, float)
    n = f_c.shape[-1]
    fbar, ybar = f_c.mean(-1), y_c.mean(-1)
    if tune and n > 1:
        cov = ((f_c - fbar[..., None]) * (y_c - ybar[..., None])).sum(-1) / (n - 1)
        var = f_c.var(-1, ddof=1)
        lam = np.where(var > 0, np.clip(cov / np.where(var > 0, var, 1.0), 0.0, 1.0), 0.0)
    else:
        lam = np.ones_like(fbar)
    est = ybar + lam * (np.asarray(f_mean_all, float) - fbar)
    resid = y_c - lam[..., None] * f_c
    var_r = resid.var(-1, ddof=1) if n > 1 else np.full_like(fbar, np.nan)
    se = np.sqrt(max(0.0, 1.0 - n / n_all) * var_r / n)
    return est, se, lam


def dsl_mean(
    f_mean_all: float | np.ndarray,
    n_all: int,
    d_c: np.ndarray,
    pi_c: np.ndarray,
    *,
    strata_c: np.ndarray | None = None,
    domain_c: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """DSL: mean of the pseudo-outcome f + R/pi (y - f) over ``n_all`` items (Egami et al.
    2023), coded rows along the last axis, ``d_c = y - f``. Returns (estimate, se).

    theta = mean_N(f) + r, r = sum(d / pi) / sum(1 / pi) over the coded rows of the domain
    (the Hajek form of the Horvitz-Thompson correction sum(d / pi) / N: equal to it when
    sum(1/pi) = N, as for simple and stratified random samples of the whole table; for a
    domain cutting across strata it does not let the random number of coded rows in the
    domain inflate the variance). ``domain_c`` marks the coded rows in the domain (default
    all); the others count in their stratum only (Sarndal et al. 1992, sec. 10.3).
    Linearised variance of the total of z = 1_domain (d - r), over sum(1/pi)^2: with
    ``strata_c`` the stratified SRSWOR form sum_h N_h^2 (1 - pi_h) s_h^2(z) / n_h with
    N_h = n_h / pi_h (a stratum with one coded row falls back to its Poisson term); without,
    the Poisson form sum (1 - pi) z^2 / pi^2.
    """
    d_c = np.asarray(d_c, float)
    pi_c = np.broadcast_to(np.asarray(pi_c, float), d_c.shape)
    inside = np.ones(d_c.shape, bool) if domain_c is None else np.asarray(domain_c, bool)
    inside = np.broadcast_to(inside, d_c.shape)
    size = np.where(inside, 1 / pi_c, 0.0).sum(-1)
    r = np.where(inside, d_c / pi_c, 0.0).sum(-1) / np.where(size > 0, size, 1.0)
    z = np.where(inside, d_c - r[..., None], 0.0)
    est = np.asarray(f_mean_all, float) + r
    poisson = (1.0 - pi_c) * z**2 / pi_c**2
    if strata_c is None:
        return est, np.sqrt(poisson.sum(-1)) / size
    strata_c = np.broadcast_to(np.asarray(strata_c), d_c.shape)
    var = np.zeros(d_c.shape[:-1])
    for h in np.unique(strata_c[strata_c >= 0]):
        m = strata_c == h
        n_h = m.sum(-1)
        pi_h = np.where(m, pi_c, 0.0).sum(-1) / np.maximum(n_h, 1)
        mean_h = np.where(m, z, 0.0).sum(-1) / np.maximum(n_h, 1)
        ss = np.where(m, (z - mean_h[..., None]) ** 2, 0.0).sum(-1)
        big_h = n_h / np.where(n_h > 0, pi_h, 1.0)
        strat = big_h**2 * (1 - pi_h) * ss / np.maximum(n_h - 1, 1) / np.maximum(n_h, 1)
        var += np.where(n_h > 1, strat, np.where(m, poisson, 0.0).sum(-1))
    return est, np.sqrt(var) / size


def wilson_interval(
    p: np.ndarray | float, n_eff: np.ndarray | float, *, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (statsmodels ``proportion_confint``) for a proportion p from an
    (effective) sample size n_eff; vectorised."""
    p, n_eff = np.clip(np.asarray(p, float), 0, 1), np.asarray(n_eff, float)
    lo, hi = proportion_confint(p * n_eff, n_eff, alpha=alpha, method="wilson")
    return np.asarray(lo, float), np.asarray(hi, float)


def _z(alpha: float) -> float:
    return NormalDist().inv_cdf(1 - alpha / 2)


# ----------------------------------------------------------------------------------------
# One mean, three estimators, with degenerate cases made explicit
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """One estimate with its interval; numbers are None when they would not mean anything."""

    estimate: float | None
    lower: float | None
    upper: float | None
    n: int
    method: str
    note: str | None = None

    @classmethod
    def null(cls, n: int, method: str, note: str) -> Estimate:
        return cls(None, None, None, n, method, note)


def _finish(
    est: float,
    lo: float,
    hi: float,
    n: int,
    method: str,
    *,
    bounds: tuple[float, float],
    max_width: float,
) -> Estimate:
    """Null numbers for an interval that cannot be estimated or is too wide; else clip the
    interval (and, with a note, the estimate) to the parameter's range."""
    if not (np.isfinite(est) and np.isfinite(lo) and np.isfinite(hi)):
        return Estimate.null(n, method, "variance cannot be estimated from the coded rows")
    if hi - lo <= 1e-12:
        return Estimate.null(
            n,
            method,
            "no variation in the coded rows (e.g. the classifier agrees with every one): "
            "the interval cannot be estimated",
        )
    if hi - lo > max_width:
        note = (
            f"interval too wide to mean anything ({lo:.2f} to {hi:.2f}, "
            f"width {hi - lo:.2f} > {max_width})"
        )
        return Estimate.null(n, method, note)
    note = None
    if not bounds[0] <= est <= bounds[1]:
        note = f"estimate {est:.3f} clipped to the range {bounds}"
    est = float(np.clip(est, *bounds))
    return Estimate(est, float(max(lo, bounds[0])), float(min(hi, bounds[1])), n, method, note)


def _naive(f_all: np.ndarray, *, binary: bool, alpha: float) -> tuple[float, float, float, str]:
    big_n, mean = len(f_all), float(f_all.mean()) if len(f_all) else float("nan")
    if binary:
        lo, hi = wilson_interval(mean, big_n, alpha=alpha)
        return mean, float(lo), float(hi), "classifier share, Wilson interval"
    half = _z(alpha) * float(f_all.std(ddof=1)) / np.sqrt(big_n) if big_n > 1 else np.nan
    return mean, mean - half, mean + half, "classifier mean, normal interval"


def _srs_pair(
    f_all: np.ndarray, f_c: np.ndarray, y_c: np.ndarray, *, binary: bool, alpha: float
) -> tuple[tuple, tuple]:
    """(corrected, coded) as (estimate, lower, upper, method) for a simple random sample."""
    z, big_n, n = _z(alpha), len(f_all), len(y_c)
    est, se, lam = (float(v) for v in ppi_mean(f_all.mean(), big_n, f_c, y_c))
    corrected = (est, est - z * se, est + z * se, f"PPI++ power-tuned (lambda={lam:.2f})")
    ybar = float(y_c.mean())
    if binary:
        lo, hi = wilson_interval(ybar, n, alpha=alpha)
        return corrected, (ybar, float(lo), float(hi), "coded rows only, Wilson interval")
    se0 = float(ppi_mean(0.0, big_n, np.zeros_like(y_c), y_c, tune=False)[1])
    return corrected, (ybar, ybar - z * se0, ybar + z * se0, "coded rows only, normal interval")


def _dsl_pair(
    f_all: np.ndarray,
    y_c: np.ndarray,
    f_c: np.ndarray,
    pi_c: np.ndarray,
    inside: np.ndarray,
    strata_c: np.ndarray | None,
    *,
    binary: bool,
    alpha: float,
) -> tuple[tuple, tuple]:
    """(corrected, coded) for unequal inclusion probabilities: DSL and Horvitz-Thompson.
    Coded rows outside the domain (``inside`` False) count in their strata only."""
    z, big_n = _z(alpha), len(f_all)
    kind = "stratified" if strata_c is not None else "Poisson"
    opts = {"strata_c": strata_c, "domain_c": inside}
    est, se = (float(v) for v in dsl_mean(f_all.mean(), big_n, y_c - f_c, pi_c, **opts))
    corrected = (est, est - z * se, est + z * se, f"DSL (inverse-probability, {kind} variance)")
    p, se0 = (float(v) for v in dsl_mean(0.0, big_n, y_c, pi_c, **opts))
    if not binary:
        return corrected, (p, p - z * se0, p + z * se0, f"coded rows only, HT, {kind} variance")
    pc = min(max(p, 0.0), 1.0)
    w = 1.0 / pi_c[inside]
    kish = float(w.sum() ** 2 / (w**2).sum())
    n_eff = pc * (1 - pc) / se0**2 if se0 > 0 and 0 < pc < 1 else kish
    lo, hi = wilson_interval(pc, n_eff, alpha=alpha)
    return corrected, (p, float(lo), float(hi), f"coded rows only, HT, Wilson (n_eff={n_eff:.0f})")


def mean_estimates(
    f_all: np.ndarray | Sequence[float],
    f_c: np.ndarray | Sequence[float],
    y_c: np.ndarray | Sequence[float],
    pi_c: np.ndarray | Sequence[float] | None = None,
    *,
    strata_c: np.ndarray | None = None,
    domain_c: np.ndarray | None = None,
    variance: Literal["stratified", "poisson"] = "stratified",
    binary: bool | None = None,
    bounds: tuple[float, float] = (0.0, 1.0),
    alpha: float = 0.05,
    min_coded: int = MIN_CODED,
    max_width: float = MAX_WIDTH,
) -> dict[str, Estimate]:
    """naive, corrected and coded estimates of mean_N(y) (see the module docstring).

    f_all: predicted values of all N items (of the domain); f_c, y_c, pi_c: predicted value,
    true value and inclusion probability of each coded row; ``pi_c=None`` means sampling
    unknown (simple random sample assumed, methods marked not design-based). Equal pi: PPI++;
    unequal: DSL, with strata ``strata_c`` (default: one stratum per distinct pi);
    ``variance="poisson"`` forces DSL with the Poisson variance (needs pi_c). ``domain_c``
    marks the coded rows in the domain of f_all; the others only shape the DSL variance.
    Fewer than ``min_coded`` domain rows, a zero-width interval or one wider than
    ``max_width``: null numbers and a note.
    """
    if variance == "poisson" and pi_c is None:
        raise ValueError('variance="poisson" needs inclusion probabilities pi_c')
    f_all, f_c, y_c = (np.asarray(a, float) for a in (f_all, f_c, y_c))
    inside = np.ones(len(y_c), bool) if domain_c is None else np.asarray(domain_c, bool)
    if binary is None:
        binary = bool(np.isin(f_all, (0, 1)).all() and np.isin(y_c, (0, 1)).all())
    n = int(inside.sum())
    nb, lo, hi, method = _naive(f_all, binary=binary, alpha=alpha)
    out = {"naive": _finish(nb, lo, hi, len(f_all), method, bounds=bounds, max_width=max_width)}
    out["naive"] = _with_note(out["naive"], "ignores classifier error")
    if n and n == len(f_all):
        exact, coded = _census(y_c[inside], binary=binary, alpha=alpha, min_coded=min_coded)
        if coded.estimate is not None:
            coded = _with_note(
                _finish(coded.estimate, coded.lower, coded.upper, n, coded.method,
                        bounds=bounds, max_width=max_width),
                coded.note,
            )  # fmt: skip
        return out | {"corrected": exact, "coded": coded}
    if n < min_coded:
        note = f"only {n} coded rows (fewer than {min_coded})" if n else "no coded rows"
        return out | {k: Estimate.null(n, "", note) for k in ("corrected", "coded")}
    pi = None if pi_c is None else np.asarray(pi_c, float)
    srs = pi is None or np.ptp(pi[inside]) <= 1e-12 * pi[inside].max()
    if srs and variance != "poisson":
        pair = _srs_pair(f_all, f_c[inside], y_c[inside], binary=binary, alpha=alpha)
    else:
        cells = None if variance == "poisson" else strata_c
        if cells is None and variance != "poisson":
            cells = np.unique(pi, return_inverse=True)[1]
        pair = _dsl_pair(f_all, y_c, f_c, pi, inside, cells, binary=binary, alpha=alpha)
    for name, (est, lo, hi, method) in zip(("corrected", "coded"), pair, strict=True):
        method = method if pi is not None else f"{method}; {NOT_DESIGN_BASED}"
        out[name] = _finish(est, lo, hi, n, method, bounds=bounds, max_width=max_width)
    return out


def _census(
    y: np.ndarray, *, binary: bool, alpha: float, min_coded: int
) -> tuple[Estimate, Estimate]:
    """(corrected, coded) when every item of the domain is coded: the finite-population
    share is the coded mean exactly (the interval that PPI++ or DSL would give has width 0,
    which is the truth here, not a failure), so corrected = coded mean with lower = upper.
    The coded-only interval (Wilson, no finite-population factor) is kept beside it: it
    answers the other question, these comments as a sample of comments like them."""
    n, ybar = len(y), float(y.mean())
    exact = Estimate(
        ybar, ybar, ybar, n, f"{CENSUS}: every comment coded, exact for these comments",
        f"{CENSUS}: all {n} comments are coded, so this is their share exactly (no sampling "
        "error; coder error not modelled)",
    )  # fmt: skip
    if n < min_coded:
        return exact, Estimate.null(n, "", f"only {n} coded rows (fewer than {min_coded})")
    model = (
        f"{CENSUS}: this interval treats the {n} comments as a random sample of comments like "
        "them (a model assumption, not the design)"
    )
    if binary:
        lo, hi = wilson_interval(ybar, n, alpha=alpha)
        method = "coded rows only, Wilson interval"
    else:
        half = _z(alpha) * float(y.std(ddof=1)) / np.sqrt(n) if n > 1 else np.nan
        lo, hi, method = ybar - half, ybar + half, "coded rows only, normal interval"
    return exact, Estimate(ybar, float(lo), float(hi), n, method, model)


def _with_note(e: Estimate, *notes: str | None) -> Estimate:
    text = "; ".join(t for t in (*notes, e.note) if t)
    return Estimate(e.estimate, e.lower, e.upper, e.n, e.method, text or None)


# ----------------------------------------------------------------------------------------
# Stance tables
# ----------------------------------------------------------------------------------------


def _labels(values: Labels, allowed: Sequence[str], name: str, *, nulls: bool) -> np.ndarray:
    """Labels as an object array; None for a missing label (allowed only where ``nulls``)."""
    raw = values.to_list() if isinstance(values, pl.Series) else list(values)
    out = np.array([None if v is None or v != v else str(v).strip() for v in raw], dtype=object)
    seen = {v for v in out if v is not None}
    if bad := sorted(seen - set(allowed)):
        raise ValueError(f"{name}: labels {bad} not in {tuple(allowed)}")
    if not nulls and any(v is None for v in out):
        raise ValueError(f"{name}: missing labels")
    return out


def _as_sample(
    inclusion: CodedSample | float | Sequence[float] | None, n: int, big_n: int
) -> CodedSample:
    if inclusion is None:
        return CodedSample.unknown(n)
    if isinstance(inclusion, CodedSample):
        sample = inclusion
    elif isinstance(inclusion, int | float):
        sample = CodedSample(np.full(n, "random", dtype=object), np.full(n, float(inclusion)))
    else:
        sample = CodedSample(np.full(n, "random", dtype=object), np.asarray(inclusion, float))
    if len(sample) != n:
        raise ValueError(f"inclusion describes {len(sample)} coded rows, there are {n}")
    return sample


def _size_note(sample: CodedSample, big_n: int) -> str | None:
    """Sum of 1/pi over drawn rows estimates N exactly for simple and stratified random
    samples: a mismatch means the sample was not drawn from these comments."""
    pi = sample.inclusion[sample.kind == "random"]
    implied = float((1 / pi).sum()) if len(pi) else float(big_n)
    if abs(implied - big_n) > 0.5 + 1e-6 * big_n:
        return (
            f"inclusion probabilities imply {implied:.0f} comments, the table has {big_n}: "
            "was the sample drawn from these comments?"
        )
    return None


def _design_estimates(
    f_all: np.ndarray,
    f_c: np.ndarray,
    y_c: np.ndarray,
    design: _Design,
    classes: np.ndarray,
    *,
    domain: np.ndarray | None = None,
    **options,
) -> dict[str, Estimate]:
    """mean_estimates on the rows the design allows, with the design's notes and refusals.
    ``classes``: per coded row, the gold class (all equal: variance cannot be estimated)."""
    used = design.used if domain is None else design.used & domain
    pi = None if design.pi is None else design.pi[design.used]
    dom = None if domain is None else domain[design.used]
    ests = mean_estimates(
        f_all, f_c[design.used], y_c[design.used], pi,
        strata_c=design.cells[design.used], domain_c=dom, **options,
    )  # fmt: skip
    blocked = design.refused
    kinds = {str(c) for c in classes[used]}
    if blocked is None and used.sum() >= options.get("min_coded", MIN_CODED) and len(kinds) == 1:
        blocked = (
            f"all {int(used.sum())} coded rows are {kinds.pop()!r}: variance cannot be estimated"
        )
    extra = [*design.notes, None if design.design_based else NOT_DESIGN_BASED]
    for name in ("corrected", "coded"):
        e = ests[name]
        if e.method.startswith(CENSUS):  # exact whatever the sampling: nothing to refuse
            ests[name] = _with_note(e, *(t for t in design.notes if "unknown" not in t))
            continue
        if not design.design_based and NOT_DESIGN_BASED not in e.method:
            method = f"{e.method}; {NOT_DESIGN_BASED}" if e.method else NOT_DESIGN_BASED
            e = Estimate(e.estimate, e.lower, e.upper, e.n, method, e.note)
        if blocked:
            e = Estimate.null(e.n, e.method, blocked)
        ests[name] = _with_note(e, *extra)
    return ests


def _rows(label: str, ests: dict[str, Estimate], **extra: object) -> list[dict]:
    return [
        {**extra, "label": label, "estimator": k, "estimate": e.estimate, "lower": e.lower,
         "upper": e.upper, "n": e.n, "method": e.method, "note": e.note}
        for k, e in ((k, ests[k]) for k in ESTIMATORS)
    ]  # fmt: skip


def _frame(rows: list[dict], extra: dict | None = None) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={**(extra or {}), **SCHEMA}, orient="row")


def share_estimates(
    pred_all: Labels,
    coded_pred: Labels,
    coded_gold: Labels,
    *,
    inclusion: CodedSample | float | Sequence[float] | None = None,
    labels: Sequence[str] = LABELS,
    alpha: float = 0.05,
    min_coded: int = MIN_CODED,
    max_width: float = MAX_WIDTH,
) -> pl.DataFrame:
    """Share of ALL comments with each stance label (none included), per estimator.

    pred_all: the classifier's label for every comment (one target); coded_pred, coded_gold:
    the classifier's and the coder's label for each coded row (gold None = drawn, not coded).
    inclusion: a ``CodedSample`` (per-row sample kind, inclusion probability, stratum), one
    inclusion probability for all rows (simple random sample), per-row probabilities, or
    None for unknown sampling (estimates marked not design-based). One row per label x
    estimator: label, estimator, estimate, lower, upper, n, method, note.
    """
    pred = _labels(pred_all, labels, "pred_all", nulls=False)
    cpred = _labels(coded_pred, labels, "coded_pred", nulls=False)
    gold = _labels(coded_gold, labels, "coded_gold", nulls=True)
    if len(cpred) != len(gold):
        raise ValueError("coded_pred and coded_gold differ in length")
    sample = _as_sample(inclusion, len(gold), len(pred))
    design = _resolve(sample, np.array([g is not None for g in gold], bool))
    size = _size_note(sample, len(pred))
    options = {"alpha": alpha, "min_coded": min_coded, "max_width": max_width, "binary": True}
    rows = []
    for lab in labels:
        ests = _design_estimates(pred == lab, cpred == lab, gold == lab, design, gold, **options)
        ests["corrected"] = _with_note(ests["corrected"], size)
        rows += _rows(lab, ests)
    return _frame(rows)


def difference_estimates(
    pred_all: tuple[Labels, Labels],
    coded_pred: tuple[Labels, Labels],
    coded_gold: tuple[Labels, Labels],
    *,
    labels: tuple[str, str] = ("against", "against"),
    targets: tuple[str, str] = ("first", "second"),
    inclusion: CodedSample | float | Sequence[float] | None = None,
    alpha: float = 0.05,
    min_coded: int = MIN_CODED,
    max_width: float = MAX_WIDTH,
) -> pl.DataFrame:
    """Difference of two shares on the same comments, e.g. share against the US minus share
    against China: the mean of the paired per-item value 1{a = labels[0]} - 1{b = labels[1]}
    (each tuple holds the first and the second target's labels, row-aligned). Pairing keeps
    the covariance of the two shares in the interval. A coded row counts when both targets
    are coded. Label column: "against(first) - against(second)"; range -1..1.
    """
    if bad := sorted(set(labels) - set(LABELS)):
        raise ValueError(f"labels {bad} not in {LABELS}")
    pa, pb = (_labels(v, LABELS, "pred_all", nulls=False) for v in pred_all)
    ca, cb = (_labels(v, LABELS, "coded_pred", nulls=False) for v in coded_pred)
    ga, gb = (_labels(v, LABELS, "coded_gold", nulls=True) for v in coded_gold)
    if not len(pa) == len(pb) or not len(ca) == len(cb) == len(ga) == len(gb):
        raise ValueError("the two targets' label sequences differ in length")
    coded = np.array([a is not None and b is not None for a, b in zip(ga, gb, strict=True)], bool)
    sample = _as_sample(inclusion, len(ga), len(pa))
    design = _resolve(sample, coded)

    def value(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a == labels[0]).astype(float) - (b == labels[1]).astype(float)

    classes = np.array([f"{a}/{b}" for a, b in zip(ga, gb, strict=True)], dtype=object)
    ests = _design_estimates(
        value(pa, pb), value(ca, cb), value(ga, gb), design, classes,
        alpha=alpha, min_coded=min_coded, max_width=max_width, binary=False, bounds=(-1.0, 1.0),
    )  # fmt: skip
    ests["corrected"] = _with_note(ests["corrected"], _size_note(sample, len(pa)))
    name = f"{labels[0]}({targets[0]}) - {labels[1]}({targets[1]})"
    return _frame(_rows(name, ests))


def subgroup_estimates(
    pred_all: Labels,
    coded_pred: Labels,
    coded_gold: Labels,
    groups_all: Sequence[object] | pl.Series,
    coded_groups: Sequence[object] | pl.Series,
    *,
    inclusion: CodedSample | float | Sequence[float] | None = None,
    labels: Sequence[str] = LABELS,
    alpha: float = 0.05,
    min_coded: int = MIN_CODED,
    max_width: float = MAX_WIDTH,
) -> pl.DataFrame:
    """``share_estimates`` within each group (thread, topic): shares of the group's comments.

    Only the group's coded rows correct the group's share. Simple random sample: PPI++ on
    them, valid conditionally on how many fell in the group. Unequal probabilities: DSL as
    domain estimation, where other groups' coded rows enter with value 0 so the stratified
    variance accounts for the random number of coded rows in the group. Sampling design
    notes are as in ``share_estimates``. Columns: group (string) then those of share_estimates.
    """
    pred = _labels(pred_all, labels, "pred_all", nulls=False)
    cpred = _labels(coded_pred, labels, "coded_pred", nulls=False)
    gold = _labels(coded_gold, labels, "coded_gold", nulls=True)
    g_all, g_c = (_strings(x) for x in (groups_all, coded_groups))
    if len(g_all) != len(pred) or len(g_c) != len(gold) or len(cpred) != len(gold):
        raise ValueError("groups, predictions and gold labels must be row-aligned")
    if unknown := sorted(set(g_c) - set(g_all)):
        raise ValueError(f"coded rows in groups absent from groups_all: {unknown[:5]}")
    sample = _as_sample(inclusion, len(gold), len(pred))
    design = _resolve(sample, np.array([g is not None for g in gold], bool))
    options = {"alpha": alpha, "min_coded": min_coded, "max_width": max_width, "binary": True}
    rows = []
    for group in sorted(set(g_all)):
        here, domain = g_all == group, g_c == group
        for lab in labels:
            ests = _design_estimates(
                pred[here] == lab, cpred == lab, gold == lab, design, gold,
                domain=domain, **options,
            )  # fmt: skip
            rows += _rows(lab, ests, group=group)
    return _frame(rows, {"group": pl.String})


def _strings(x: Sequence[object] | pl.Series | np.ndarray) -> np.ndarray:
    return np.array([str(v) for v in (x.to_list() if isinstance(x, pl.Series) else x)], object)


# ----------------------------------------------------------------------------------------
# Users
# ----------------------------------------------------------------------------------------


def _modal(codes: np.ndarray, labels: np.ndarray, n_users: int, names: Sequence[str]):
    """Per user x label: 1/k when the label is one of the user's k most frequent labels."""
    counts = np.zeros((n_users, len(names)))
    for j, name in enumerate(names):
        np.add.at(counts[:, j], codes[labels == name], 1.0)
    top = counts == counts.max(1, keepdims=True)
    top &= counts.sum(1, keepdims=True) > 0
    return top / np.maximum(top.sum(1, keepdims=True), 1)


def _user_inclusion(m_uc: np.ndarray, n_c: np.ndarray, big_n_c: np.ndarray) -> np.ndarray:
    """Probability that all of a user's comments are drawn: per stratum c a hypergeometric
    product prod_{j < m_uc} (n_c - j) / (N_c - j) (simple random sampling without replacement
    of n_c of N_c comments), multiplied over independent strata."""
    out = np.ones(m_uc.shape[0])
    for c in range(m_uc.shape[1]):
        for j in range(int(m_uc[:, c].max(initial=0))):
            factor = (n_c[c] - j) / (big_n_c[c] - j)
            out *= np.where(m_uc[:, c] > j, max(factor, 0.0), 1.0)
    return out


def _user_pi(
    pos: np.ndarray, m_u: np.ndarray, full: np.ndarray, design: _Design, big_n: int
) -> np.ndarray:
    """pi_u of fully coded users under a (stratified) simple random sample of comments, from
    the coded rows' strata: N_c = n_c / pi_c comments in stratum c (N for unknown sampling)."""
    used = design.used
    cells = design.cells[used]
    n_cells = int(cells.max(initial=0)) + 1
    n_c = np.bincount(cells, minlength=n_cells).astype(float)
    if design.pi is None:
        big_n_c = np.array([float(big_n)])
    else:
        pi_c = np.bincount(cells, weights=design.pi[used], minlength=n_cells)
        big_n_c = n_c / np.maximum(pi_c / np.maximum(n_c, 1), 1e-300)
    m_uc = np.zeros((len(m_u), n_cells))
    np.add.at(m_uc, (pos[used], cells), 1.0)
    return np.where(full, _user_inclusion(m_uc, n_c, big_n_c), np.nan)


def _sampled_users_pi(
    pos: np.ndarray, full: np.ndarray, sample: CodedSample, n_users: int
) -> tuple[np.ndarray, str | None]:
    """pi_u for a sample of users (unit="user"): the user's inclusion probability, scaled
    within each probability cell by fully coded / sampled users (the rest taken as missing
    at random)."""
    random = sample.kind == "random"
    pi_u = np.zeros(n_users)
    np.maximum.at(pi_u, pos[random], sample.inclusion[random])
    sampled = pi_u > 0
    out = np.full(n_users, np.nan)
    for p in np.unique(pi_u[sampled]):
        cell = sampled & (pi_u == p)
        if (cell & full).any():
            out[cell & full] = p * (cell & full).sum() / cell.sum()
    missing = int((sampled & ~full).sum())
    note = f"{missing} sampled users not fully coded (taken as missing at random)"
    return out, note if missing else None


def user_estimates(
    pred_all: Labels,
    users_all: Sequence[object] | pl.Series,
    coded_gold: Labels,
    coded_users: Sequence[object] | pl.Series,
    *,
    inclusion: CodedSample | float | Sequence[float] | None = None,
    unit: Literal["comment", "user"] = "comment",
    labels: Sequence[str] = LABELS,
    alpha: float = 0.05,
    min_coded: int = MIN_CODED,
    max_width: float = MAX_WIDTH,
) -> pl.DataFrame:
    """Share of users whose modal stance is each label (ties split evenly among the modes).

    A user's true modal stance is known only when all of the user's comments are coded, so
    the unit is the user and the coded sample is the fully coded users, with their exact
    probability pi_u of being fully coded: for a (stratified) simple random sample of
    comments (``unit="comment"``) the hypergeometric product prod_j (n - j) / (N - j) over
    the user's m_u comments; for a sample of users whose comments are all coded
    (``unit="user"``) the users' own inclusion probability. DSL / Horvitz-Thompson over users
    (Poisson variance) then gives theta = mean_U(f_u) + sum_full (y_u - f_u) / pi_u / U.

    Assumption and limit: design-unbiased, but with comment sampling pi_u falls like
    (n/N)^m_u, so users with several comments are almost never fully coded; their modal stance
    is corrected only in expectation and the interval reflects them only if some are coded
    (see the note). For user-level claims, sample users (``unit="user"``).
    """
    pred, gold = (_labels(v, labels, k, nulls=k == "coded_gold")
                  for k, v in (("pred_all", pred_all), ("coded_gold", coded_gold)))  # fmt: skip
    users, c_users = _strings(users_all), _strings(coded_users)
    if len(users) != len(pred) or len(c_users) != len(gold):
        raise ValueError("users and labels must be row-aligned")
    sample = _as_sample(inclusion, len(gold), len(pred))
    design = _resolve(sample, np.array([g is not None for g in gold], bool))
    ids, codes = np.unique(users, return_inverse=True)
    pos = np.searchsorted(ids, c_users)
    if np.any(pos >= len(ids)) or np.any(ids[np.minimum(pos, len(ids) - 1)] != c_users):
        raise ValueError("coded rows of users absent from users_all")
    m_u = np.bincount(codes, minlength=len(ids))
    c_u = np.bincount(pos[design.used], minlength=len(ids))
    if np.any(c_u > m_u):
        raise ValueError("a user has more coded rows than comments (duplicate coded rows?)")
    full = (c_u == m_u) & (c_u > 0)
    f_u = _modal(codes, pred, len(ids), labels)
    y_u = _modal(pos[design.used], gold[design.used], len(ids), labels)
    user_design = _users_design(pos, m_u, full, design, sample, unit, len(pred))
    note = _user_note(m_u, full, design, unit, len(pred))
    cls = np.array([str(v) for v in y_u.argmax(1)], dtype=object)
    options = {"alpha": alpha, "min_coded": min_coded, "max_width": max_width, "binary": None}
    variance = "poisson" if unit == "comment" else "stratified"
    rows = []
    for j, lab in enumerate(labels):
        ests = _design_estimates(
            f_u[:, j], f_u[:, j], y_u[:, j], user_design, cls, variance=variance, **options
        )
        ests["corrected"] = _with_note(ests["corrected"], note)
        rows += _rows(lab, ests)
    return _frame(rows)


def _users_design(
    pos: np.ndarray,
    m_u: np.ndarray,
    full: np.ndarray,
    design: _Design,
    sample: CodedSample,
    unit: str,
    big_n: int,
) -> _Design:
    """The design over users: fully coded users, their pi_u and probability cells."""
    notes = design.notes
    if unit == "comment":
        pi_u = _user_pi(pos, m_u, full, design, big_n)
    elif design.design_based:
        pi_u, missing = _sampled_users_pi(pos, full, sample, len(m_u))
        notes = (*notes, missing) if missing else notes
    else:  # unknown sampling of users: taken as a simple random sample of users
        return _Design(full, None, np.where(full, 0, -1), notes, design.refused, False)
    cells = np.full(len(m_u), -1)
    if full.any():
        cells[full] = np.unique(pi_u[full], return_inverse=True)[1]
    return _Design(full, pi_u, cells, notes, design.refused, design.design_based)


def _user_note(m_u: np.ndarray, full: np.ndarray, design: _Design, unit: str, big_n: int) -> str:
    text = f"{int(full.sum())} of {len(m_u)} users fully coded"
    if unit == "comment" and (m_u > 1).any() and not full.all():
        n = int(design.used.sum())
        p2 = n * (n - 1) / (big_n * (big_n - 1))
        text += (
            f"; users with 2+ comments ({(m_u > 1).mean():.0%} of users) are fully coded with "
            f"probability about {p2:.2g} or less: their modal stance is corrected only in "
            "expectation"
        )
    return text
