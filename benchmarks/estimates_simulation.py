"""Coverage, bias and width of the stance-share estimators, on the simulation of the tests.

Usage: ``python benchmarks/estimates_simulation.py`` (15-25 s on 2 cores; seeded, so the
numbers are the same on every run). The population (5,000 comments: favor 0.25, against 0.35,
neutral 0.15, none 0.25; a classifier reading 30% of favor as none and 20% of against as
neutral, worse on the small thread c) and the draws are those of tests/test_estimates.py,
which this script loads. docs/estimates.md quotes its output.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


T = _load(ROOT / "tests" / "test_estimates.py", "_estimates_simulation_tests")
est, LABELS, N, Z = T.est, T.LABELS, T.N, T.Z


def _line(cells: list[object]) -> str:
    return "| " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells) + " |"


def _table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}\n")
    print(_line(header))
    print("|" + "---|" * len(header))
    for r in rows:
        print(_line(r))


def _ppi_py(y: np.ndarray, f: np.ndarray, idx: np.ndarray, theta: float):
    """ppi_py's ppi_mean_ci (superpopulation PPI++, power-tuned) on the same draws, with the
    uncoded comments as its unlabeled set; None when ppi_py is not installed."""
    try:
        from ppi_py import ppi_mean_ci
    except ImportError:
        return None
    covered, width = [], []
    for rows in idx:
        rest = np.ones(N, bool)
        rest[rows] = False
        lo, hi = ppi_mean_ci(y[rows], f[rows], f[rest], alpha=0.05)
        covered.append(lo[0] <= theta <= hi[0])
        width.append(hi[0] - lo[0])
    return float(np.mean(covered)), float(np.mean(width))


def simple_random() -> None:
    truth, pred, _ = T.population()
    idx = T._srs_draws(7)
    rows, ppi_rows = [], []
    for k, label in enumerate(LABELS):
        y, f = (truth == k).astype(float), (pred == k).astype(float)
        theta = y.mean()
        e, se, lam = est.ppi_mean(f.mean(), N, f[idx], y[idx])
        lo, hi = est.wilson_interval(y[idx].mean(1), T.N_CODED)
        coded_cov = np.mean((lo <= theta) & (theta <= hi))
        rows.append([label, theta, f.mean() - theta, e.mean() - theta, lam.mean(),
                     np.mean(np.abs(e - theta) <= Z * se), 2 * Z * se.mean(),
                     coded_cov, (hi - lo).mean()])  # fmt: skip
        got = _ppi_py(y, f, idx, theta)
        if got:
            ppi_rows.append([label, *got])
    _table(
        "Simple random sample, n = 300 of N = 5,000, 2,000 draws (corrected = PPI++)",
        ["label", "true share", "naive bias", "corrected bias", "mean lambda",
         "corrected coverage", "corrected width", "coded coverage", "coded width"],
        rows,
    )  # fmt: skip
    if ppi_rows:
        _table(
            "ppi_py 0.2.3 ppi_mean_ci on the same draws (superpopulation variance)",
            ["label", "coverage", "width"],
            ppi_rows,
        )


def stratified() -> None:
    truth, pred, _ = T.population()
    idx, pi, strata = T._stratified_draws(11)
    rows = []
    for k, label in enumerate(LABELS):
        y, f = (truth == k).astype(float), (pred == k).astype(float)
        theta = y.mean()
        e, se = est.dsl_mean(f.mean(), N, y[idx] - f[idx], pi, strata_c=strata)
        e_p, se_p = est.dsl_mean(f.mean(), N, y[idx] - f[idx], pi)
        p, se0 = est.dsl_mean(0.0, N, y[idx], pi, strata_c=strata)
        n_eff = np.where(se0 > 0, p * (1 - p) / np.maximum(se0, 1e-12) ** 2, T.N_CODED)
        lo, hi = est.wilson_interval(p, n_eff)
        unweighted = est.ppi_mean(f.mean(), N, f[idx], y[idx])
        rows.append([label, theta, f.mean() - theta, e.mean() - theta,
                     np.mean(np.abs(e - theta) <= Z * se), 2 * Z * se.mean(),
                     np.mean(np.abs(e_p - theta) <= Z * se_p),
                     np.mean((lo <= theta) & (theta <= hi)), (hi - lo).mean(),
                     unweighted[0].mean() - theta,
                     np.mean(np.abs(unweighted[0] - theta) <= Z * unweighted[1])])  # fmt: skip
    _table(
        "Stratified sample, 100 per thread (N_h = 3000, 1500, 500: pi = 1/30, 1/15, 1/5), "
        "2,000 draws (corrected = DSL)",
        ["label", "true share", "naive bias", "DSL bias", "DSL coverage", "DSL width",
         "DSL coverage, Poisson variance", "coded coverage", "coded width",
         "unweighted PPI++ bias", "unweighted PPI++ coverage"],
        rows,
    )  # fmt: skip


def domains() -> None:
    truth, pred, thread = T.population()
    idx, pi, strata = T._stratified_draws(13)
    cases = [
        ("two thirds of every thread", np.arange(N) % 3 != 0),
        ("half of threads a and c", (np.arange(N) % 2 == 0) & (thread != 1)),
        ("a third of threads a and c", (np.arange(N) % 3 == 0) & (thread != 1)),
        ("thread c (a stratum)", thread == 2),
    ]
    rows = []
    for name, topic in cases:
        cov = []
        for k in range(len(LABELS)):
            y, f = (truth == k).astype(float), (pred == k).astype(float)
            e, se = est.dsl_mean(
                f[topic].mean(), topic.sum(), y[idx] - f[idx], pi, strata_c=strata,
                domain_c=topic[idx],
            )  # fmt: skip
            cov.append(np.mean(np.abs(e - y[topic].mean()) <= Z * se))
        rows.append([name, int(topic.sum()), float(topic[idx].sum(1).mean()), *cov])
    _table(
        "DSL within groups of the stratified sample: coverage per label (2,000 draws)",
        ["group", "comments", "mean coded rows", *LABELS],
        rows,
    )


def _user_draws(unit: str, reps: int = 1000):
    """(estimate, lower, upper) of the corrected modal shares over ``reps`` draws: 200
    comments at random (unit="comment") or 120 users at random with all their comments
    coded (unit="user")."""
    users_, truth, pred = T._user_population()
    names = np.array(LABELS, dtype=object)
    rng = np.random.default_rng(4)
    got = np.full((reps, 4, 3), np.nan)
    for r in range(reps):
        if unit == "comment":
            idx, pi = rng.choice(len(users_), 200, replace=False), 200 / len(users_)
        else:
            idx, pi = np.flatnonzero(np.isin(users_, rng.choice(400, 120, replace=False))), 0.3
        t = est.user_estimates(
            names[pred], users_, names[truth[idx]], users_[idx], inclusion=pi, unit=unit
        ).filter(estimator="corrected")
        got[r] = t.select("estimate", "lower", "upper").to_numpy().astype(float)
    return got


def users() -> None:
    users_, truth, pred = T._user_population()
    names = np.array(LABELS, dtype=object)
    theta = est._modal(users_, names[truth], 400, LABELS).mean(0)
    naive = est._modal(users_, names[pred], 400, LABELS).mean(0)
    rows = []
    for unit, design in (("comment", "200 comments"), ("user", "120 users, all comments")):
        got = _user_draws(unit)
        for k, label in enumerate(LABELS):
            e, lo, hi = got[:, k, 0], got[:, k, 1], got[:, k, 2]
            ok = ~np.isnan(e)
            rows.append([design, label, theta[k], naive[k] - theta[k], np.nanmean(e) - theta[k],
                         float(np.mean((lo[ok] <= theta[k]) & (theta[k] <= hi[ok]))),
                         float(np.nanmean(hi - lo)), int((~ok).sum())])  # fmt: skip
    _table(
        f"Users' modal stance: 400 users (70% one comment, 20% two, 10% three), "
        f"{len(users_)} comments, 1,000 draws of each design",
        ["coded sample", "label", "true share", "naive bias", "corrected bias",
         "corrected coverage", "corrected width", "null (too wide)"],
        rows,
    )  # fmt: skip


def main() -> None:
    start = time.perf_counter()
    simple_random()
    stratified()
    domains()
    users()
    print(f"\n({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
