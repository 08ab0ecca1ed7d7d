"""Stance shares corrected for classifier error: coverage simulation, degenerate cases, sampling.

The simulation (issue 11): a synthetic population of 5,000 comments with known shares
(favor 0.25, against 0.35, neutral 0.15, none 0.25), a classifier with a known confusion
matrix (30% of favor read as none, 20% of against read as neutral), and 2,000 coded samples of
300. The 95% intervals of the corrected estimator must cover the true share 93-97% of the
time, the naive share must be biased and the corrected one not. The same for a stratified
sample with unequal inclusion probabilities (DSL). Vectorised: one array per replicate set.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl
import pytest
from readerscope.analysis.stance import estimates as est
from readerscope.analysis.stance import sampling as smp

LABELS = est.LABELS
SHARES = (0.25, 0.35, 0.15, 0.25)
# Rows: true favor, against, neutral, none; columns: predicted label, same order.
CONFUSION = np.array(
    [
        [0.65, 0.00, 0.05, 0.30],
        [0.00, 0.75, 0.20, 0.05],
        [0.02, 0.08, 0.80, 0.10],
        [0.04, 0.02, 0.04, 0.90],
    ]
)
WORSE = np.array(  # the classifier on the small, oversampled thread "c"
    [
        [0.35, 0.05, 0.00, 0.60],
        [0.10, 0.50, 0.30, 0.10],
        [0.05, 0.15, 0.60, 0.20],
        [0.10, 0.05, 0.05, 0.80],
    ]
)
N, N_CODED, REPLICATES, Z = 5000, 300, 2000, 1.959963984540054


def _classify(truth: np.ndarray, confusion: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cum = confusion.cumsum(1)
    return (rng.random(len(truth))[:, None] > cum[truth]).sum(1)


@cache
def population() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true label, predicted label, thread) codes for 5,000 comments. Exact shares; thread c
    (500 comments) leans against and has the worse classifier."""
    rng = np.random.default_rng(20231101)
    truth = rng.permutation(np.repeat(np.arange(4), (np.array(SHARES) * N).astype(int)))
    order = np.argsort(rng.random(N) + 0.5 * (truth == 1), kind="stable")  # against last
    thread = np.empty(N, dtype=np.int64)
    thread[order] = np.repeat([0, 1, 2], [3000, 1500, 500])
    c = thread == 2
    pred = np.where(c, _classify(truth, WORSE, rng), _classify(truth, CONFUSION, rng))
    return truth, pred, thread


def _srs_draws(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.argpartition(rng.random((REPLICATES, N)), N_CODED, axis=1)[:, :N_CODED]


def _stratified_draws(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """100 comments from each thread (sizes 3000, 1500, 500): pi = 1/30, 1/15, 1/5."""
    _, _, thread = population()
    rng = np.random.default_rng(seed)
    blocks, pis, strata = [], [], []
    for h in range(3):
        members = np.flatnonzero(thread == h)
        pick = np.argpartition(rng.random((REPLICATES, len(members))), 100, axis=1)[:, :100]
        blocks.append(members[pick])
        pis.append(np.full(100, 100 / len(members)))
        strata.append(np.full(100, h))
    return np.concatenate(blocks, 1), np.concatenate(pis), np.concatenate(strata)


@cache
def srs_results() -> dict[str, dict[str, np.ndarray]]:
    truth, pred, _ = population()
    idx = _srs_draws(7)
    out = {}
    for k, label in enumerate(LABELS):
        y, f = (truth == k).astype(float), (pred == k).astype(float)
        e, se, _ = est.ppi_mean(f.mean(), N, f[idx], y[idx])
        lo, hi = est.wilson_interval(y[idx].mean(1), N_CODED)
        out[label] = {"theta": y.mean(), "naive": f.mean(), "est": e, "se": se, "coded_w": hi - lo}
    return out


def test_population_has_the_stated_shares_and_classifier_errors():
    truth, pred, _ = population()
    assert np.allclose([np.mean(truth == k) for k in range(4)], SHARES)
    favor = truth == 0
    assert 0.25 < np.mean(pred[favor] == 3) < 0.40  # favor read as none


@pytest.mark.parametrize("label", LABELS)
def test_corrected_intervals_cover_the_true_share_srs(label):
    r = srs_results()[label]
    covered = np.abs(r["est"] - r["theta"]) <= Z * r["se"]
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()


def test_naive_is_biased_and_corrected_is_not_srs():
    res = srs_results()
    for label in ("favor", "none"):  # 30% of favor read as none moves 0.075 between them
        assert abs(res[label]["naive"] - res[label]["theta"]) > 0.04, label
    for label in LABELS:
        bias = res[label]["est"].mean() - res[label]["theta"]
        assert abs(bias) < 0.003, (label, bias)


def test_corrected_is_narrower_than_coded_alone():
    for label, r in srs_results().items():
        assert 2 * Z * r["se"].mean() < r["coded_w"].mean(), label


@pytest.mark.parametrize("label", LABELS)
def test_dsl_covers_and_is_unbiased_under_stratified_unequal_probabilities(label):
    truth, pred, _ = population()
    idx, pi, strata = _stratified_draws(11)
    k = LABELS.index(label)
    y, f = (truth == k).astype(float), (pred == k).astype(float)
    e, se = est.dsl_mean(f.mean(), N, y[idx] - f[idx], pi, strata_c=strata)
    covered = np.abs(e - y.mean()) <= Z * se
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()
    assert abs(e.mean() - y.mean()) < 0.003
    # Ignoring the weights (PPI++ as if the sample were uniform) is biased here for favor.
    if label == "favor":
        unweighted = est.ppi_mean(f.mean(), N, f[idx], y[idx])[0]
        assert abs(unweighted.mean() - y.mean()) > 0.01


def test_dsl_domain_estimate_covers_a_group_that_cuts_across_strata():
    truth, pred, _ = population()
    topic = np.arange(N) % 3 != 0  # a "topic": two thirds of every thread
    # (Smaller domains, ~65 coded rows with unequal weights, cover about 92%: see the docs.)
    idx, pi, strata = _stratified_draws(13)
    y, f = (truth == 0).astype(float), (pred == 0).astype(float)
    inside = topic[idx]
    e, se = est.dsl_mean(
        f[topic].mean(), topic.sum(), y[idx] - f[idx], pi, strata_c=strata, domain_c=inside
    )
    covered = np.abs(e - y[topic].mean()) <= Z * se
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()


def test_paired_difference_covers_and_beats_unpaired_width():
    truth, pred, _ = population()
    rng = np.random.default_rng(5)
    # Second target: against China, mostly agreeing with against US (correlated items).
    flip = rng.random(N) < 0.3
    truth_b = np.where(flip, rng.integers(0, 4, N), truth)
    pred_b = np.where(rng.random(N) < 0.2, 1, np.where(flip, rng.integers(0, 4, N), pred))
    d_true = (truth == 1).astype(float) - (truth_b == 1)
    d_pred = (pred == 1).astype(float) - (pred_b == 1)
    idx = _srs_draws(17)
    e, se, _ = est.ppi_mean(d_pred.mean(), N, d_pred[idx], d_true[idx])
    assert 0.93 <= np.mean(np.abs(e - d_true.mean()) <= Z * se) <= 0.97
    assert abs(d_pred.mean() - d_true.mean()) > 0.04  # the naive difference is biased
    ya, fa = (truth == 1).astype(float), (pred == 1).astype(float)
    yb, fb = (truth_b == 1).astype(float), (pred_b == 1).astype(float)
    se_a = est.ppi_mean(fa.mean(), N, fa[idx], ya[idx])[1]
    se_b = est.ppi_mean(fb.mean(), N, fb[idx], yb[idx])[1]
    assert se.mean() < np.sqrt(se_a**2 + se_b**2).mean()  # pairing uses the covariance


# ------------------------------------------------------------------------------------------
# The table functions agree with the kernels
# ------------------------------------------------------------------------------------------


def _one_sample(seed: int = 3, n: int = N_CODED):
    truth, pred, _ = population()
    names = np.array(LABELS, dtype=object)
    idx = np.sort(np.random.default_rng(seed).choice(N, n, replace=False))
    return names[pred], names[pred[idx]], names[truth[idx]], idx


def test_share_estimates_match_the_kernels():
    pred_all, coded_pred, coded_gold, idx = _one_sample()
    table = est.share_estimates(pred_all, coded_pred, coded_gold, inclusion=N_CODED / N)
    assert table.columns == list(est.SCHEMA)
    assert table.height == 12
    assert table["n"].to_list() == [N, N_CODED, N_CODED] * 4
    truth, pred, _ = population()
    for k, label in enumerate(LABELS):
        f, y = (pred == k).astype(float), (truth == k).astype(float)
        e, se, _ = est.ppi_mean(f.mean(), N, f[idx], y[idx])
        row = table.filter(label=label, estimator="corrected").row(0, named=True)
        assert row["estimate"] == pytest.approx(float(e))
        assert row["upper"] - row["lower"] == pytest.approx(2 * Z * float(se), rel=1e-6)
        assert "PPI++" in row["method"]
        naive = table.filter(label=label, estimator="naive").row(0, named=True)
        assert naive["estimate"] == pytest.approx(f.mean())
        assert "ignores classifier error" in naive["note"]
    assert table.filter(estimator="naive")["estimate"].sum() == pytest.approx(1.0)


def test_share_estimates_use_dsl_for_unequal_probabilities():
    truth, pred, thread = population()
    names = np.array(LABELS, dtype=object)
    df = pl.DataFrame({"comment_id": [f"c{i:05d}" for i in range(N)], "thread": thread})
    sample = smp.draw_coding_sample(df, 300, seed=1, stratify="thread", allocation="equal")
    idx = np.array([int(c[1:]) for c in sample["comment_id"]])
    coded = est.CodedSample.from_frame(sample)
    table = est.share_estimates(names[pred], names[pred[idx]], names[truth[idx]], inclusion=coded)
    row = table.filter(label="favor", estimator="corrected").row(0, named=True)
    assert "DSL" in row["method"] and "stratified" in row["method"]
    y, f = (truth == 0).astype(float), (pred == 0).astype(float)
    pi = sample["inclusion_probability"].to_numpy()
    strata = np.unique(sample["sample_stratum"].to_numpy(), return_inverse=True)[1]
    e, _ = est.dsl_mean(f.mean(), N, y[idx] - f[idx], pi, strata_c=strata)
    assert row["estimate"] == pytest.approx(float(e))
    assert row["note"] is None  # inclusion probabilities agree with the table's size


def test_subgroup_estimates_are_the_groups_own_estimates():
    pred_all, coded_pred, coded_gold, idx = _one_sample()
    _, _, thread = population()
    groups = np.array(["a", "b", "c"], dtype=object)[thread]
    table = est.subgroup_estimates(
        pred_all, coded_pred, coded_gold, groups, groups[idx], inclusion=N_CODED / N
    )
    assert table["group"].unique().sort().to_list() == ["a", "b", "c"]
    a = groups == "a"
    alone = est.share_estimates(
        pred_all[a], coded_pred[a[idx]], coded_gold[a[idx]], inclusion=N_CODED / N
    )
    mine = table.filter(group="a").drop("group")
    assert mine["estimate"].to_list() == pytest.approx(alone["estimate"].to_list())
    assert mine["n"].to_list() == alone["n"].to_list()


def test_difference_estimates_are_paired_means():
    pred_all, coded_pred, coded_gold, idx = _one_sample()
    table = est.difference_estimates(
        (pred_all, pred_all), (coded_pred, coded_pred), (coded_gold, coded_gold),
        labels=("against", "favor"), targets=("us", "china"), inclusion=N_CODED / N,
    )  # fmt: skip
    assert table["label"].unique().to_list() == ["against(us) - favor(china)"]
    truth, _, _ = population()
    row = table.filter(estimator="corrected").row(0, named=True)
    d = (truth == 1).astype(float) - (truth == 0)
    assert row["lower"] <= d.mean() <= row["upper"]
    coded = table.filter(estimator="coded").row(0, named=True)
    assert coded["estimate"] == pytest.approx(d[idx].mean())


# ------------------------------------------------------------------------------------------
# Degenerate cases: null numbers and a note, never a number that looks valid
# ------------------------------------------------------------------------------------------


def _nulls(table: pl.DataFrame, estimator: str) -> pl.DataFrame:
    rows = table.filter(estimator=estimator)
    assert rows["estimate"].null_count() == rows.height
    assert rows["lower"].null_count() == rows.height
    return rows


def test_no_coded_rows():
    t = est.share_estimates(["favor", "none"] * 50, [], [], inclusion=[])
    for name in ("corrected", "coded"):
        assert all("no coded rows" in n for n in _nulls(t, name)["note"])
    assert t.filter(estimator="naive")["estimate"].null_count() == 0


def test_fewer_than_ten_coded_rows():
    pred_all, coded_pred, coded_gold, _ = _one_sample(n=8)
    t = est.share_estimates(pred_all, coded_pred, coded_gold, inclusion=8 / N)
    assert all("only 8 coded rows" in n for n in _nulls(t, "corrected")["note"])


def test_every_coded_row_the_same_class():
    pred_all = ["none"] * 900 + ["favor"] * 100
    t = est.share_estimates(pred_all, ["none"] * 40, ["none"] * 40, inclusion=40 / 1000)
    for name in ("corrected", "coded"):
        assert all("variance cannot be estimated" in n for n in _nulls(t, name)["note"])


def test_interval_too_wide_to_mean_anything():
    rng = np.random.default_rng(0)
    gold = ["favor", "against"] * 5
    pred = rng.choice(["favor", "against", "neutral", "none"], 10).tolist()
    pred_all = rng.choice(LABELS, 1000).tolist()
    t = est.share_estimates(pred_all, pred, gold, inclusion=10 / 1000)
    coded = _nulls(t.filter(label="favor"), "coded")  # Wilson for 5 of 10: width 0.53
    assert "too wide to mean anything" in coded["note"][0]


def test_no_variation_in_a_difference():
    pred_all, coded_pred, coded_gold, _ = _one_sample()
    t = est.difference_estimates(
        (pred_all, pred_all), (coded_pred, coded_pred), (coded_gold, coded_gold),
        inclusion=N_CODED / N,
    )  # fmt: skip
    assert "no variation" in _nulls(t, "corrected")["note"][0]


def test_a_census_gives_the_exact_share_beside_the_coded_interval():
    """Every comment coded: the finite-population interval has width 0 because the share
    of these comments is known; corrected = coded share, exact, whatever the sampling
    columns say; coded keeps its Wilson interval (comments like these)."""
    rng = np.random.default_rng(4)
    gold = rng.choice(LABELS, 60).tolist()
    pred = [g if rng.random() < 0.8 else "none" for g in gold]
    for inclusion in (None, 1.0):
        t = est.share_estimates(pred, pred, gold, inclusion=inclusion)
        for label in LABELS:
            truth = gold.count(label) / 60
            c = t.filter(label=label, estimator="corrected").row(0, named=True)
            assert c["estimate"] == c["lower"] == c["upper"] == pytest.approx(truth)
            assert c["method"].startswith("census") and "not design-based" not in c["method"]
            assert "exactly" in c["note"] and "unknown" not in c["note"]
            k = t.filter(label=label, estimator="coded").row(0, named=True)
            assert k["lower"] < truth < k["upper"] and "census" in k["note"]
    few = est.share_estimates(pred[:5], pred[:5], gold[:5], inclusion=1.0)
    exact = few.filter(estimator="corrected")
    assert exact["estimate"].null_count() == 0  # a census needs no normal approximation
    assert few.filter(estimator="coded")["estimate"].null_count() == 4  # but an interval does


def test_a_fully_coded_group_is_a_census_within_a_sample():
    pred_all, coded_pred, coded_gold, idx = _one_sample()
    truth, _, _ = population()
    groups = np.full(N, "rest", dtype=object)
    groups[idx[:40]] = "coded"  # a group whose every comment is in the sample
    t = est.subgroup_estimates(
        pred_all, coded_pred, coded_gold, groups, groups[idx], inclusion=N_CODED / N
    )
    names = np.array(LABELS, dtype=object)
    exact = t.filter(group="coded", estimator="corrected")
    for row in exact.iter_rows(named=True):
        want = np.mean(names[truth[idx[:40]]] == row["label"])
        assert row["estimate"] == row["upper"] == pytest.approx(want)
    assert (
        not t.filter(group="rest", estimator="corrected")["method"].str.starts_with("census").any()
    )


# ------------------------------------------------------------------------------------------
# Non-random and unknown sampling
# ------------------------------------------------------------------------------------------


def test_active_rows_are_ignored_by_design_based_estimates():
    pred_all, coded_pred, coded_gold, _ = _one_sample()
    random = est.share_estimates(pred_all, coded_pred, coded_gold, inclusion=N_CODED / N)
    # 40 active picks, all coded "favor" whatever the truth: would move every share.
    kind = ["random"] * N_CODED + ["active"] * 40
    pi = [N_CODED / N] * N_CODED + [None] * 40
    both = est.share_estimates(
        pred_all,
        [*coded_pred, *["none"] * 40],
        [*coded_gold, *["favor"] * 40],
        inclusion=est.CodedSample(np.array(kind, object), np.array(pi, object)),
    )
    for name in ("corrected", "coded"):
        a, b = random.filter(estimator=name), both.filter(estimator=name)
        assert a["estimate"].to_list() == pytest.approx(b["estimate"].to_list())
        assert all("ignored 40 active-learning rows" in n for n in b["note"])


def test_a_sheet_of_only_active_rows_is_refused():
    df = pl.DataFrame({"comment_id": [f"c{i}" for i in range(200)], "u": np.linspace(0, 1, 200)})
    sheet = smp.select_for_training(df, 50, uncertainty="u")
    coded = est.CodedSample.from_frame(sheet)
    t = est.share_estimates(["none"] * 200, ["none"] * 50, ["favor", "none"] * 25, inclusion=coded)
    for name in ("corrected", "coded"):
        notes = _nulls(t, name)["note"]
        assert all("active-learning picks" in n and "refused" in n for n in notes)


def test_unknown_sampling_is_marked_not_design_based():
    pred_all, coded_pred, coded_gold, _ = _one_sample()
    sheet = smp.read_coding_sheet(pl.DataFrame({"comment_id": [str(i) for i in range(300)]}))
    assert set(sheet["sample_kind"]) == {"unknown"}
    t = est.share_estimates(
        pred_all, coded_pred, coded_gold, inclusion=est.CodedSample.from_frame(sheet)
    )
    for name in ("corrected", "coded"):
        rows = t.filter(estimator=name)
        assert rows["estimate"].null_count() == 0
        assert all("not design-based" in m for m in rows["method"])
        assert all("not design-based" in n for n in rows["note"])


def test_coded_sample_validates_kinds_and_probabilities():
    with pytest.raises(ValueError, match="in \\(0, 1\\]"):
        est.CodedSample(np.array(["random"], object), np.array([None], object))
    with pytest.raises(ValueError, match="no inclusion probability"):
        est.CodedSample(np.array(["active"], object), np.array([0.1]))
    with pytest.raises(ValueError, match="sample_kind"):
        est.CodedSample(np.array(["convenience"], object), np.array([None], object))
    with pytest.raises(ValueError, match="varies within stratum"):
        est.CodedSample(np.array(["random"] * 2, object), np.array([0.1, 0.2]), ["a", "a"])


def test_sample_drawn_from_other_comments_is_flagged():
    pred_all, coded_pred, coded_gold, _ = _one_sample()
    t = est.share_estimates(pred_all, coded_pred, coded_gold, inclusion=N_CODED / (2 * N))
    assert "was the sample drawn from these comments" in t["note"][1]


# ------------------------------------------------------------------------------------------
# Sampling
# ------------------------------------------------------------------------------------------


def _comments(n: int = 1000) -> pl.DataFrame:
    rng = np.random.default_rng(2)
    return pl.DataFrame(
        {
            "comment_id": [f"k{i:04d}" for i in range(n)],
            "thread": rng.choice(["a", "b", "c", "d"], n, p=[0.5, 0.3, 0.15, 0.05]).tolist(),
        }
    )


def test_sampling_is_deterministic_and_order_free():
    df = _comments()
    a = smp.draw_coding_sample(df, 80, seed=42)
    b = smp.draw_coding_sample(df.reverse(), 80, seed=42)
    c = smp.draw_coding_sample(df, 80, seed=43)
    assert sorted(a["comment_id"]) == sorted(b["comment_id"])
    assert set(a["comment_id"]) != set(c["comment_id"])
    assert a.height == 80 and set(a["sample_kind"]) == {"random"}
    assert a["inclusion_probability"].to_list() == [80 / 1000] * 80
    assert set(a["sample_seed"]) == {42}


@pytest.mark.parametrize(
    "allocation", ["proportional", "equal", {"a": 10, "b": 10, "c": 30, "d": 10}]
)
def test_stratified_inclusion_probabilities_are_exact(allocation):
    df = _comments()
    pi = smp.inclusion_probabilities(df, 60, stratify="thread", allocation=allocation)
    assert pi.sum() == pytest.approx(60)
    s = smp.draw_coding_sample(df, 60, seed=9, stratify="thread", allocation=allocation)
    assert s.height == 60
    assert (1 / s["inclusion_probability"]).sum() == pytest.approx(df.height)  # HT of N
    sizes = df["thread"].value_counts().rows()
    got = dict(s["sample_stratum"].value_counts().rows())
    for thread, size in sizes:
        p = s.filter(sample_stratum=thread)["inclusion_probability"]
        assert p.n_unique() == 1 and p[0] == pytest.approx(got[thread] / size)
    if allocation == "proportional":
        assert all(abs(got[t] - 60 * size / 1000) < 1 for t, size in sizes)


def test_proportional_allocation_gives_every_stratum_a_row():
    sizes = {"big": 990, "tiny1": 5, "tiny2": 5}
    assert smp.allocate(sizes, 20, allocation="proportional") == {"big": 18, "tiny1": 1, "tiny2": 1}


def test_select_for_training_takes_the_most_uncertain_with_stable_ties():
    df = pl.DataFrame({"comment_id": ["e", "d", "c", "b", "a"], "u": [0.9, 0.5, 0.9, None, 0.5]})
    picked = smp.select_for_training(df, 3, uncertainty="u")
    assert picked["comment_id"].to_list() == ["e", "c", "a"]  # 0.5 tie: smaller id "a"
    picked = smp.select_for_training(df, 4, uncertainty="u", exclude=["e"])
    assert picked["comment_id"].to_list() == ["d", "c", "b", "a"]  # null uncertainty last
    assert set(picked["sample_kind"]) == {"active"}
    assert picked["inclusion_probability"].null_count() == picked.height


def test_reading_and_merging_sheets(tmp_path):
    df = _comments(300)
    random = smp.draw_coding_sample(df, 30, seed=1).with_columns(stance_us=pl.lit("none"))
    active = smp.select_for_training(
        df.with_columns(u=pl.int_range(300) % 7), 10, uncertainty="u", exclude=random["comment_id"]
    ).with_columns(stance_us=pl.lit("favor"))
    path = tmp_path / "sheet.csv"
    smp.merge_coding_sheets(random, active).write_csv(path)
    back = smp.read_coding_sheet(path)
    assert back.height == 40
    assert dict(back["sample_kind"].value_counts().rows()) == {"random": 30, "active": 10}
    assert back.schema["inclusion_probability"] == pl.Float64
    coded = est.CodedSample.from_frame(back)
    assert (
        coded.stratum is None and np.isnan(coded.inclusion[back["sample_kind"] == "active"]).all()
    )
    other = smp.draw_coding_sample(df, 30, seed=2)
    with pytest.raises(ValueError, match="different draws"):
        smp.merge_coding_sheets(random, other)
    clash = random.head(3).with_columns(stance_us=pl.lit("against"), sample_kind=pl.lit("active"),
                                        inclusion_probability=pl.lit(None, pl.Float64))  # fmt: skip
    with pytest.raises(ValueError, match="conflicting codes"):
        smp.merge_coding_sheets(random, clash)


# ------------------------------------------------------------------------------------------
# Users
# ------------------------------------------------------------------------------------------


@cache
def _user_population():
    """400 users: 70% with one comment, 20% two, 10% three; ~560 comments."""
    rng = np.random.default_rng(8)
    m = rng.choice([1, 2, 3], 400, p=[0.7, 0.2, 0.1])
    users = np.repeat(np.arange(400), m)
    lean = rng.choice(4, 400, p=SHARES)
    truth = np.where(rng.random(len(users)) < 0.8, lean[users], rng.integers(0, 4, len(users)))
    pred = _classify(truth, CONFUSION, rng)
    return users, truth, pred


def test_user_level_modal_share_is_unbiased_for_comment_samples():
    users, truth, pred = _user_population()
    names = np.array(LABELS, dtype=object)
    big_n, n = len(users), 200
    modal = est._modal(users, names[truth], 400, LABELS)  # true modal shares per user
    rng = np.random.default_rng(4)
    got = []
    for _ in range(150):
        idx = rng.choice(big_n, n, replace=False)
        t = est.user_estimates(
            names[pred], users, names[truth[idx]], users[idx], inclusion=n / big_n
        )
        got.append(t.filter(estimator="corrected")["estimate"].to_numpy())
    got = np.array(got, dtype=float)
    naive = t.filter(estimator="naive")["estimate"].to_numpy()
    theta = modal.mean(0)
    assert np.abs(naive - theta)[[0, 3]].min() > 0.03  # favor, none: naive biased
    assert np.all(np.abs(np.nanmean(got, 0) - theta) < 0.02), np.nanmean(got, 0) - theta
    assert "users fully coded" in t.filter(estimator="corrected")["note"][0]


def test_user_sample_uses_ppi_over_users():
    users, truth, pred = _user_population()
    names = np.array(LABELS, dtype=object)
    sampled = np.random.default_rng(1).choice(400, 120, replace=False)
    idx = np.flatnonzero(np.isin(users, sampled))
    gold = names[truth[idx]]
    gold[:5] = None  # drawn, left uncoded: those users are not fully coded
    t = est.user_estimates(names[pred], users, gold, users[idx], inclusion=0.3, unit="user")
    row = t.filter(label="against", estimator="corrected").row(0, named=True)
    assert "PPI++" in row["method"]
    dropped = len(set(users[idx[:5]]))
    assert row["n"] == 120 - dropped
    assert f"{dropped} sampled users not fully coded" in row["note"]
