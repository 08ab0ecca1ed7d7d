"""``readerscope summary`` and ``readerscope figures`` on the built-in sample.

The commands are registered on a fresh Typer app (exactly as ``readerscope.cli`` does)
and run in-process; the exit-code path for bad input goes through the real entry point.
"""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
import typer
from readerscope.analysis.summary import summarize
from readerscope.cli import figures as figures_cmd
from readerscope.cli import summary as summary_cmd
from sample_analysis import sample_result
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    summary_cmd.register(app)
    figures_cmd.register(app)
    return app


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def json_run(app, runner):
    result = runner.invoke(app, ["summary", "--json"])
    assert result.exit_code == 0, result.output
    return result


def test_json_is_machine_readable_and_matches_the_table(json_run):
    data = json.loads(json_run.stdout)  # stdout holds JSON only: no rich markup, no progress
    df = sample_result().comments
    assert data["comments"] == df.height == 37
    (thread,) = data["threads"]
    assert thread["comments_found"] == 37
    assert thread["comments_declared"] == 37
    assert thread["users"] == df["user"].drop_nulls().n_unique()
    # stance.<target key>.<label>.<estimator> = {estimate, lower, upper, n, note}: shares of
    # all comments; without --coded the naive estimator only
    assert list(data["stance"]) == ["us", "china", "japan"]
    for key, target in data["stance"].items():
        col = df[f"stance_{key}"]
        assert target["comments"] == 37 and target["method"] is None
        for s in ("against", "neutral", "favor", "none"):
            assert target["counts"][s] == (col == s).sum()
            naive = target[s]["naive"]
            assert set(target[s]) == {"naive"}
            assert set(naive) == {"estimate", "lower", "upper", "n", "note"}
            assert naive["estimate"] == pytest.approx((col == s).mean(), abs=1e-4)
            assert naive["lower"] <= naive["estimate"] <= naive["upper"] and naive["n"] == 37
    assert (
        data["stance_labelling"]["line"]
        == "zero-shot model zeroshot-v1; not validated on this corpus"
    )
    sent = data["sentiment"]
    assert sent["negative"] + sent["neutral"] + sent["positive"] == 37
    assert sent["mean_compound"] == pytest.approx(df["sentiment_compound"].mean(), abs=1e-4)


def test_json_most_replied_and_active_users(json_run):
    data = json.loads(json_run.stdout)
    df = sample_result().comments
    replies = (
        df.filter(pl.col("reply_to").is_in(df["comment_id"].implode())).group_by("reply_to").len()
    )
    received = dict(replies.iter_rows())
    assert data["most_replied"], "the sample has inferred replies"
    for r in data["most_replied"]:
        assert r["replies"] == received[r["comment_id"]]
    assert data["most_replied"][0]["replies"] == max(received.values())
    top_user = data["most_active_users"][0]
    assert top_user["comments"] == df["user"].value_counts()["count"].max()
    assert data["topics"] and data["topics"][0]["size"] >= data["topics"][-1]["size"]


def test_summary_renders_tables(app, runner):
    result = runner.invoke(app, ["summary"], env={"COLUMNS": "110"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in (
        "37 comments found, 37 declared",
        "Stance toward each target",
        "shares of all 37 comments, 95% intervals",
        "Stance labelling: zero-shot model zeroshot-v1; not validated on this corpus",
        "United States",
        "Sentiment (VADER compound)",
        "Top topics",
        "Most-replied comments",
        "Most active users",
    ):
        assert heading in out, heading


def test_summary_matches_summarize(json_run):
    # the CLI prints exactly what summarize() computes from the analysis
    assert json.loads(json_run.stdout) == json.loads(
        json.dumps(summarize(sample_result()), default=str)
    )


def test_figures_command_writes_requested_formats(app, runner, tmp_path):
    out = tmp_path / "figs"
    result = runner.invoke(
        app, ["figures", "-o", str(out), "--format", "png,svg", "--only", "stance_distribution"]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "manifest.json",
        "stance_distribution.csv",
        "stance_distribution.json",
        "stance_distribution.png",
        "stance_distribution.svg",
    ]
    manifest = json.loads((out / "stance_distribution.json").read_text())
    (inp,) = manifest["inputs"]
    assert inp["source"] == "sample:japantoday_750057" and len(inp["sha256"]) == 64
    assert manifest["seeds"]["topics.random_state"] == 42
    assert {a["outlet"] for a in manifest["articles"]} >= {"AP (Japan Today)", "Newslooks"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "gif"], "gif"),
        (["--only", "nope"], "unknown figure"),
    ],
)
def test_figures_command_bad_options(app, runner, tmp_path, args, message):
    result = runner.invoke(app, ["figures", "-o", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_thread_file_exits_2_with_one_line(tmp_path):
    missing = tmp_path / "nope.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "readerscope", "summary", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.txt" in lines[0], proc.stderr
