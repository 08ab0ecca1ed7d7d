"""Agreement figures and the coding-sheet round trip (export, fill, import, score)."""

from __future__ import annotations

import csv
from functools import cache

import polars as pl
import pytest
from readerscope.analysis.context import StageContext
from readerscope.analysis.stance import StanceConfig, add_stance, agreement, baselines, coding
from readerscope.analysis.stance.rules import RuleConfig
from readerscope.analysis.stance.targets import load_targets
from readerscope.cli import app
from readerscope.comments import InputError, read_thread
from typer.testing import CliRunner


@cache
def seed():
    return read_thread()


def test_agreement_known_values():
    gold = ["favor", "against", "against", "neutral", "none", "none"]
    assert agreement.agreement(gold, gold) == {
        "n": 6,
        "accuracy": 1.0,
        "macro_f1": 1.0,
        "favg": 1.0,
        "kappa": 1.0,
    }
    pred = ["favor", "favor", "against", "neutral", "none", "neutral"]
    got = agreement.agreement(gold, pred)
    assert got["accuracy"] == pytest.approx(4 / 6)
    # F1(favor) = 2/3 (P 1/2, R 1); F1(against) = 2/3 (P 1, R 1/2): Favg = 2/3.
    assert got["favg"] == pytest.approx(2 / 3)
    assert -1 <= got["kappa"] < 1


def test_krippendorff_alpha_with_missing_codes():
    a = ["favor", "against", "none", "neutral", "against"]
    assert agreement.krippendorff_alpha([a, a]) == pytest.approx(1.0)
    b = ["favor", "against", "none", None, "favor"]
    alpha = agreement.krippendorff_alpha([a, b, a])
    assert 0 < alpha < 1


def test_coding_sheet_round_trip(tmp_path):
    """Export with the CLI, fill it (with the reference labels), import: the figures equal
    those computed from the reference coding directly."""
    runner = CliRunner()
    sheet = tmp_path / "sheet.csv"
    result = runner.invoke(app, ["codebook", "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sheet.guidelines.md").exists()
    with sheet.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    targets = load_targets()
    assert len(rows) == 37
    assert list(rows[0])[:4] == ["comment_id", "position", "user", "text"]
    assert all(rows[0][f"stance_{t.key}"] == "" for t in targets)
    assert "favor, against, neutral" in rows[0]["instructions"]

    thread = seed()
    ref = coding.reference_coding(thread.comments, targets)
    labels = {r["comment_id"]: r for r in ref.iter_rows(named=True)}
    for row in rows:
        for t in targets:
            row[f"stance_{t.key}"] = labels[row["comment_id"]][f"stance_{t.key}"]
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    imported = coding.read_coding(filled, targets)
    assert imported.sort("comment_id").equals(ref.sort("comment_id"))

    scores = tmp_path / "scores.csv"
    result = runner.invoke(
        app,
        [
            "codebook",
            "--score",
            str(filled),
            "--score",
            str(coding.SECOND_CODING),
            "-o",
            str(scores),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Inter-coder agreement" in result.output
    printed = pl.read_csv(scores)
    # the command scores the default method (what 'auto' picks for 37 comments)
    method = add_stance(
        thread.comments,
        StanceConfig(),
        context=StageContext(articles={thread.thread_id: thread.article_text}),
    )
    direct = agreement.agreement_table(ref, method, targets)
    mine = printed.filter(pl.col("model") == "method vs filled.csv")
    assert mine["favg"].to_list() == pytest.approx(direct["favg"].to_list())
    assert mine["kappa"].to_list() == pytest.approx(direct["kappa"].to_list())


def test_partly_filled_sheet_scores_only_coded_cells(tmp_path):
    comments = seed().comments
    sheet = tmp_path / "part.csv"
    coding.write_codebook(comments, sheet)
    df = pl.read_csv(sheet, infer_schema=False).with_columns(
        pl.when(pl.col("position").cast(pl.Int32) <= 5)
        .then(pl.lit("against"))
        .otherwise(None)
        .alias("stance_us")
    )
    df.write_csv(sheet)
    coded = coding.read_coding(sheet)
    table = agreement.agreement_table(
        coded, add_stance(comments, StanceConfig(method="rules")), load_targets()
    )
    assert table.filter(pl.col("target") == "us")["n"][0] == 5
    assert table.filter(pl.col("target") == "china")["n"][0] == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("comment_id,stance_us,stance_china,stance_japan\nx,maybe,,\n", "not one of"),
        ("comment_id,stance_us\nx,favor\n", "missing column"),
        ("", "no rows"),
        ("comment_id,stance_us,stance_china,stance_japan\nnope,favor,,\n", "not in the thread"),
        (
            "comment_id,stance_us,stance_china,stance_japan\n"
            "japantoday_750057-c1,favor,,\njapantoday_750057-c1,against,,\n",
            "twice",
        ),
    ],
)
def test_bad_sheets_are_one_line_errors(tmp_path, content, problem):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=problem) as err:
        coding.read_coding(path, comments=seed().comments)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_cli_errors_exit_2(tmp_path):
    runner = CliRunner()
    empty = tmp_path / "empty.csv"
    coding.write_codebook(seed().comments, empty)
    result = runner.invoke(app, ["codebook", "--score", str(empty)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError) or result.exit_code == 2
    assert "no coded cells" in (str(result.exception) + result.output)


def test_baselines_shape():
    comments = seed().comments
    targets = load_targets()
    always = baselines.baseline_always(comments, targets)
    assert set(always["stance_us"].unique()) == {"against"}
    vader = baselines.baseline_vader(comments, targets)
    assert vader.height == comments.height
    # Comment 25 names no target: none everywhere.
    row = vader.filter(pl.col("comment_id") == comments["comment_id"][24])
    assert [row[f"stance_{t.key}"][0] for t in targets] == ["none"] * 3


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded():
    thread = seed()
    targets = load_targets()
    ref = coding.reference_coding(thread.comments, targets)
    pred = add_stance(
        thread.comments,
        StanceConfig(method="rules", rules=RuleConfig(use_seed_cues=True)),
        context=StageContext(articles={thread.thread_id: thread.article_text}),
    )
    point = agreement.agreement_table(ref, pred, targets).filter(pl.col("target") == "all")["favg"][
        0
    ]
    lo, hi = agreement.bootstrap_interval(ref, pred, targets, n_boot=200)
    assert lo < point < hi
    assert (lo, hi) == agreement.bootstrap_interval(ref, pred, targets, n_boot=200)
    # A perfect method has a degenerate interval at 1.
    assert agreement.bootstrap_interval(ref, ref, targets, n_boot=50) == (1.0, 1.0)
