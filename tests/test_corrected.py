"""Corrected stance shares end to end (issue 11): coding samples, coded sheets, the summary and
the figures, on the built-in sample with the shipped reference coding as the coders.

The round trip is the researcher's: ``codebook --sample`` (and ``--next``) writes a sheet,
the test fills it from the reference coding, and ``summary --coded`` / ``figures --coded``
read it back. Most checks call the library (the CLI renders exactly what it returns); the
CLI runs once per command so the suite stays quick.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import typer
from readerscope.analysis.stance import coding
from readerscope.analysis.stance.agreement import agreement_table
from readerscope.analysis.stance.corrected import read_coded_sheets, stance_estimates
from readerscope.analysis.stance.sampling import coding_sample, rule_uncertainty
from readerscope.analysis.summary import summarize
from readerscope.cli import codebook as codebook_cmd
from readerscope.cli import figures as figures_cmd
from readerscope.cli import summary as summary_cmd
from readerscope.comments import InputError, read_corpus
from readerscope.figures import stance_by_thread, stance_distribution
from sample_analysis import sample_result
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = coding.REFERENCE_CODING
KEYS = ["us", "china", "japan"]
LABELS = ("against", "neutral", "favor", "none")


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    for command in (summary_cmd, figures_cmd, codebook_cmd):
        command.register(app)
    return app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def df() -> pl.DataFrame:
    return sample_result().comments


@pytest.fixture(scope="module")
def targets():
    return sample_result().targets


def fill(sheet: Path, out: Path, df: pl.DataFrame) -> Path:
    """The coders' work: the sheet's stance columns filled from the reference coding."""
    rows = pl.read_csv(sheet, infer_schema=False)
    codes = [f"stance_{k}" for k in KEYS]
    reference = coding.reference_coding(df)
    filled = (
        rows.drop(codes)
        .join(reference, on="comment_id", how="left", maintain_order="left")
        .select(rows.columns)
    )
    filled.write_csv(out)
    return out


@pytest.fixture(scope="module")
def sheets(app, runner, tmp_path_factory, df) -> dict[str, Path]:
    """codebook --sample 20 --seed 3 and --next 10 (excluding the sample), both filled."""
    d = tmp_path_factory.mktemp("coding")
    sample = runner.invoke(
        app, ["codebook", "--sample", "20", "--seed", "3", "-o", str(d / "s.csv")]
    )
    assert sample.exit_code == 0, sample.output
    nxt = runner.invoke(
        app, ["codebook", "--next", "10", "--exclude", str(d / "s.csv"), "-o", str(d / "n.csv")]
    )
    assert nxt.exit_code == 0, nxt.output
    return {
        "sample": d / "s.csv",
        "next": d / "n.csv",
        "sample_filled": fill(d / "s.csv", d / "s_filled.csv", df),
        "next_filled": fill(d / "n.csv", d / "n_filled.csv", df),
    }


def _share(data: dict, key: str, label: str, estimator: str) -> dict:
    return data["stance"][key][label][estimator]


# ------------------------------------------------------------------------------------------
# The shipped reference coding: a census of the 37 comments
# ------------------------------------------------------------------------------------------


def test_summary_coded_reference_shows_corrected_shares_with_intervals(app, runner, df):
    result = runner.invoke(app, ["summary", "--json", "--coded", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reference = coding.reference_coding(df)
    for key in KEYS:
        target = data["stance"][key]
        assert target["method"].startswith("census")
        for label in LABELS:
            naive, corrected, coded = (target[label][e] for e in ("naive", "corrected", "coded"))
            truth = (reference[f"stance_{key}"] == label).mean()
            # a census: the corrected share is the coded share, exact for these comments
            assert corrected["estimate"] == pytest.approx(truth, abs=1e-4)
            assert corrected["lower"] == corrected["upper"] == corrected["estimate"]
            assert "census" in corrected["note"] and corrected["n"] == 37
            # beside it, the coded-only interval (comments like these)
            assert coded["lower"] < coded["estimate"] < coded["upper"]
            assert naive["lower"] <= naive["estimate"] <= naive["upper"]
            assert naive["n"] == 37
    line = data["stance_labelling"]["line"]
    assert line.startswith("zero-shot model zeroshot-v1; validated on all 37 comments")
    # the figures on the line are the labelling's own agreement with the coding, recomputed here
    pooled = agreement_table(reference, df, sample_result().targets).filter(target="all")
    assert f"Favg {pooled['favg'][0]:.2f}, kappa {pooled['kappa'][0]:.2f}" in line
    assert data["stance_labelling"]["coded_sheets"][0]["sha256"]


def test_summary_tables_show_interval_columns_and_the_labelling_line(app, runner):
    result = runner.invoke(app, ["summary", "--coded", str(REFERENCE)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "shares of all 37 comments, 95% intervals",
        "naive",
        "corrected",
        "coded",
        "49% exact",
        "Stance labelling: zero-shot model zeroshot-v1; validated on all 37 comments",
        "Differences between targets",
    ):
        assert text in out, text


def test_figures_coded_draw_corrected_shares_with_intervals(app, runner, tmp_path):
    out = tmp_path / "figs"
    result = runner.invoke(
        app,
        ["figures", "-o", str(out), "--format", "png", "--coded", str(REFERENCE),
         "--only", "stance_distribution,stance_by_thread"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    head = pl.read_csv(out / "stance_distribution.csv")
    assert set(head["estimator"]) == {"corrected"} and set(head["share_of"]) == {"all comments"}
    assert (head["n"] == 37).all()
    assert (head["lower"] < head["upper"]).all()  # census: the coded-only interval is drawn
    assert head["interval"].str.contains("census").all()
    manifest = json.loads((out / "stance_distribution.json").read_text())
    assert "corrected for the labelling's errors" in manifest["caption"]
    assert manifest["intervals"]["estimators"] == ["corrected"]
    assert len(manifest["intervals"]["rows"]) == head.height
    assert manifest["coded_sheets"][0]["path"] == str(REFERENCE)
    threads = pl.read_csv(out / "stance_by_thread.csv")
    assert set(threads["stance"]) == {"against", "favor"} and threads.height == 6
    assert set(threads["estimator"]) == {"corrected"}
    assert json.loads((out / "stance_by_thread.json").read_text())["intervals"]["rows"]


def _whiskers(ax) -> dict[str, object]:
    return {c.get_label(): c for c in ax.containers if c.get_label().endswith("interval")}


def test_headline_bars_are_corrected_shares_and_carry_whiskers(df, targets):
    census = stance_estimates(df, KEYS, read_coded_sheets([REFERENCE], df, targets))
    fig = stance_distribution(df, targets, estimates=census)
    ax = fig.axes[0]
    bars = {c.get_label(): c for c in ax.containers if c.get_label() in LABELS}
    shares = census.shares.filter(estimator="corrected")
    for row, key in enumerate(KEYS):
        for s in ("against", "favor", "neutral"):
            want = shares.filter(target=key, label=s)["estimate"][0]
            assert bars[s].patches[row].get_width() == pytest.approx(100 * want)
    assert set(_whiskers(ax)) == {"_against interval", "_favor interval"}
    assert "all comments (corrected" in ax.get_xlabel()
    naive = stance_distribution(df, targets)
    assert set(_whiskers(naive.axes[0])) == {"_against interval", "_favor interval"}
    assert "stance-taking" in naive.axes[0].get_xlabel()
    thread_fig = stance_by_thread(df, targets, estimates=census)
    assert len(thread_fig.axes) == 3 and "corrected" in thread_fig.axes[-1].get_xlabel()


# ------------------------------------------------------------------------------------------
# codebook --sample / --next round trip
# ------------------------------------------------------------------------------------------


def test_sample_sheet_records_the_design(sheets):
    sheet = pl.read_csv(sheets["sample"])
    assert sheet.height == 20
    assert set(sheet["sample_kind"]) == {"random"}
    assert sheet["inclusion_probability"].to_list() == pytest.approx([20 / 37] * 20)
    assert set(sheet["sample_seed"]) == {3}
    assert "inclusion_probability" in sheet["instructions"][0]
    again = coding_sample(sample_result().comments, 20, seed=3)
    assert again["comment_id"].to_list() == sheet["comment_id"].to_list()  # seeded


def test_next_sheet_picks_the_least_certain_and_is_non_random(sheets, df):
    picks = pl.read_csv(sheets["next"], infer_schema=False)
    drawn = set(pl.read_csv(sheets["sample"])["comment_id"])
    assert picks.height == 10 and not drawn & set(picks["comment_id"])
    assert set(picks["sample_kind"]) == {"active"}
    assert picks["inclusion_probability"].null_count() == 10
    u = dict(zip(df["comment_id"], rule_uncertainty(df, KEYS), strict=True))
    rest = [u[c] for c in df["comment_id"] if c not in drawn | set(picks["comment_id"])]
    assert min(u[c] for c in picks["comment_id"]) >= max(rest)


def test_sample_round_trip_corrects_with_ppi(app, runner, sheets, df):
    result = runner.invoke(app, ["summary", "--json", "--coded", str(sheets["sample_filled"])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stance"]["china"]["method"].startswith("PPI++ power-tuned")
    estimated = [
        _share(data, k, s, "corrected") for k in KEYS for s in LABELS
        if _share(data, k, s, "corrected")["estimate"] is not None
    ]  # fmt: skip
    assert len(estimated) >= 8
    for e in estimated:
        assert e["n"] == 20 and e["lower"] < e["upper"]
    # the corrected interval uses the classifier's labels of all 37: narrower than coded-only
    japan = data["stance"]["japan"]["none"]
    width = {k: japan[k]["upper"] - japan[k]["lower"] for k in ("corrected", "coded")}
    assert width["corrected"] < width["coded"]
    assert data["stance_labelling"]["line"].startswith(
        "zero-shot model zeroshot-v1; validated on 20 randomly sampled coded comments: Favg"
    )
    assert data["stance_labelling"]["sample"].startswith("coded sample: 20 comments drawn at")
    assert {"stance_differences", "stance_by_thread", "stance_by_topic", "stance_users"} <= set(
        data
    )
    assert "modal" in data["stance_users"]["caveat"]


def test_merged_sheets_ignore_the_active_rows(sheets, df, targets):
    alone = stance_estimates(df, KEYS, read_coded_sheets([sheets["sample_filled"]], df, targets))
    both = stance_estimates(
        df, KEYS, read_coded_sheets([sheets["sample_filled"], sheets["next_filled"]], df, targets)
    )
    a = alone.shares.filter(estimator="corrected")
    b = both.shares.filter(estimator="corrected")
    assert a["estimate"].to_list() == b["estimate"].to_list()
    assert b["note"].str.contains("ignored 10 active-learning rows").all()
    assert "10 active-learning picks (never used as a random sample)" in both.sample


def test_a_sheet_of_only_next_rows_is_refused(app, runner, sheets, df, targets):
    only = stance_estimates(df, KEYS, read_coded_sheets([sheets["next_filled"]], df, targets))
    for name in ("corrected", "coded"):
        rows = only.shares.filter(estimator=name)
        assert rows["estimate"].null_count() == rows.height
        assert rows["note"].str.contains("design-based estimates refused").all()
    assert "not validated on this corpus" in only.labelling
    assert only.validation.is_empty()
    result = runner.invoke(app, ["summary", "--coded", str(sheets["next_filled"])],
                           env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no number (all corrected, all coded)" in result.stdout
    assert "active-learning picks (non-random): design-based estimates refused" in result.stdout


def test_figures_coded_from_the_random_sample(app, runner, sheets, tmp_path):
    out = tmp_path / "figs"
    result = runner.invoke(
        app,
        ["figures", "-o", str(out), "--format", "png", "--only", "stance_distribution",
         "--coded", str(sheets["sample_filled"]), "--coded", str(sheets["next_filled"])],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    head = pl.read_csv(out / "stance_distribution.csv")
    assert set(head["estimator"]) == {"corrected"}
    drawn = head.filter(pl.col("share").is_not_null())
    assert (drawn["n"] == 20).all() and (drawn["lower"] <= drawn["upper"]).all()
    assert drawn["interval"].str.starts_with("corrected").all()
    # a share that could not be estimated is null with its reason, never a number
    missing = head.filter(pl.col("share").is_null())
    assert missing["note"].str.contains("cannot be estimated|too wide").all()


# ------------------------------------------------------------------------------------------
# Old sheets, stratified samples, unusable sheets
# ------------------------------------------------------------------------------------------


def test_an_old_sheet_is_sampling_unknown_and_not_design_based(tmp_path, df, targets):
    old = tmp_path / "old.csv"
    pl.read_csv(REFERENCE, infer_schema=False).head(25).write_csv(old)  # no sampling columns
    est = stance_estimates(df, KEYS, read_coded_sheets([old], df, targets))
    rows = est.shares.filter(estimator="corrected", target="china")
    assert rows["method"].str.contains("not design-based").all()
    assert "unknown sampling" in est.labelling
    assert "no sampling columns: estimates not design-based" in est.sample


def test_stratified_sample_over_threads_has_exact_probabilities():
    files = [ROOT / "comments/samples/japantoday_750057.txt",
             ROOT / "tests/fixtures/browser_copy_full.txt"]  # fmt: skip
    comments = read_corpus(files).comments
    sizes = dict(comments["thread_id"].value_counts().iter_rows())
    sheet = coding_sample(comments, 12, seed=5, stratify="thread")
    assert sheet.height == 12 and sheet["sample_stratum"].n_unique() == 2
    for row in sheet.iter_rows(named=True):
        n_h = (sheet["sample_stratum"] == row["sample_stratum"]).sum()
        assert row["inclusion_probability"] == pytest.approx(n_h / sizes[row["thread_id"]])
    assert float((1 / sheet["inclusion_probability"]).sum()) == pytest.approx(comments.height)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"stance_us": "maybe"}, "'maybe' is not one of"),
        ({"inclusion_probability": "abc"}, "sampling columns"),
        ({"inclusion_probability": ""}, "random rows need an inclusion probability"),
        ({"sample_kind": "convenience"}, "sample_kind must be one of"),
    ],
)
def test_unusable_sheets_are_one_line_errors(tmp_path, sheets, df, targets, edit, message):
    sheet = pl.read_csv(sheets["sample_filled"], infer_schema=False)
    bad = sheet.with_columns(
        *[pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
          for c, v in edit.items()]
    )  # fmt: skip
    bad.write_csv(tmp_path / "bad.csv")
    with pytest.raises(InputError, match=message) as err:
        read_coded_sheets([tmp_path / "bad.csv"], df, targets)
    assert "\n" not in str(err.value) and "bad.csv" in str(err.value)


def test_two_random_draws_do_not_merge(tmp_path, df, targets):
    for seed in (1, 2):
        coding.write_codebook(coding_sample(df, 15, seed=seed), tmp_path / f"s{seed}.csv")
        fill(tmp_path / f"s{seed}.csv", tmp_path / f"f{seed}.csv", df)
    with pytest.raises(InputError, match="different draws"):
        read_coded_sheets([tmp_path / "f1.csv", tmp_path / "f2.csv"], df, targets)


def test_an_empty_sheet_and_a_model_without_the_api_are_clear(tmp_path, app, runner, sheets):
    with pytest.raises(InputError, match="no coded cells"):
        read_coded_sheets([sheets["sample"]], sample_result().comments, sample_result().targets)
    result = runner.invoke(app, ["codebook", "--next", "3", "--model", str(tmp_path)])
    assert result.exit_code == 2  # the command ends an InputError as the entry point does
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a stance model directory" in lines[0], result.stderr


def test_unusable_coded_sheet_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("comment_id,stance_us,stance_china,stance_japan\nnope,favor,none,none\n")
    proc = subprocess.run(
        [sys.executable, "-m", "readerscope", "summary", "--coded", str(bad)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.csv" in lines[0] and "not in the thread" in lines[0]


# ------------------------------------------------------------------------------------------
# The summary's data
# ------------------------------------------------------------------------------------------


def test_summary_without_coded_sheets_has_naive_shares_only(df):
    data = summarize(sample_result())
    us = data["stance"]["us"]
    assert us["method"] is None and set(us["against"]) == {"naive"}
    assert us["counts"]["against"] == (df["stance_us"] == "against").sum()
    total = sum(us[s]["naive"]["estimate"] for s in LABELS)
    assert total == pytest.approx(1.0, abs=1e-3)  # shares of all comments, none included
    assert (
        data["stance_labelling"]["line"]
        == "zero-shot model zeroshot-v1; not validated on this corpus"
    )
    diff = data["stance_differences"][0]
    assert (diff["first"], diff["second"], diff["stance"]) == ("us", "china", "against")
    want = (df["stance_us"] == "against").mean() - (df["stance_china"] == "against").mean()
    assert diff["naive"]["estimate"] == pytest.approx(want, abs=1e-4)


def test_per_thread_topic_and_user_estimates_in_a_census(df, targets):
    est = stance_estimates(df, KEYS, read_coded_sheets([REFERENCE], df, targets))
    thread = est.by_thread.filter(estimator="corrected")
    shares = est.shares.filter(estimator="corrected")
    assert thread["estimate"].to_list() == pytest.approx(shares["estimate"].to_list())
    topics = est.by_topic.filter(estimator="corrected")
    assert topics["method"].str.starts_with("census").all()  # every topic fully coded too
    users = est.users.filter(estimator="corrected")
    assert users["estimate"].null_count() == 0 and users["note"].str.contains("27 of 27").all()
