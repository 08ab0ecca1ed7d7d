"""Every figure renders from the analysed sample thread, and plots exactly the table's numbers.

The expected numbers are recomputed here from the comment table with plain polars, not
taken from the ``*_data`` functions, and compared with what the matplotlib artists hold
(bar widths/heights, heat-map cells, scatter offsets).
"""

from __future__ import annotations

import itertools
import json

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer
from readerscope.figures import (
    FIGURE_NAMES,
    article_framing,
    parse_formats,
    render_figures,
    reply_network,
    save_figure,
    sentiment_by_stance,
    sentiment_distribution,
    sentiment_distribution_data,
    stance_by_user,
    stance_distribution,
    stance_distribution_data,
    topic_sizes,
    topic_stance,
)
from readerscope.figures.sentiment import bin_edges
from readerscope.figures.topics import OUTLIER
from sample_analysis import sample_article_units, sample_inputs

STANCES = ("against", "neutral", "favor")
DOUBLE = {"topic_stance", "article_framing"}


@pytest.fixture(scope="module")
def inputs():
    return sample_inputs()


@pytest.fixture(scope="module")
def df(inputs):
    return inputs.comments


@pytest.fixture(scope="module")
def targets(inputs):
    return list(inputs.targets)


def _bars(ax) -> dict[str, BarContainer]:
    return {c.get_label(): c for c in ax.containers if isinstance(c, BarContainer)}


def _widths(container: BarContainer) -> np.ndarray:
    return np.array([r.get_width() for r in container.patches])


def _stance_counts(table: pl.DataFrame, col: str) -> dict[str, int]:
    vc = table[col].value_counts()
    return {r[col]: r["count"] for r in vc.iter_rows(named=True)}


def _user_stance(df: pl.DataFrame, key: str) -> dict[str, str]:
    """Per user: favor if more favor than against comments, against if the reverse,
    neutral if they addressed the target at all, else none."""
    out = {}
    for user, group in df.group_by(pl.col("user").fill_null("(no name)")):
        s = group[f"stance_{key}"].to_list()
        f, a = s.count("favor"), s.count("against")
        addressed = any(v != "none" for v in s)
        out[user[0]] = (
            "favor" if f > a else "against" if a > f else "neutral" if addressed else "none"
        )
    return out


def test_sample_has_stances(df, targets):
    # The figures below are only meaningful if the sample has stance-taking comments.
    assert df.height == 37
    for t in targets:
        assert (df[f"stance_{t.key}"] != "none").sum() > 0


def test_stance_distribution_bars_are_the_shares(df, targets):
    fig = stance_distribution(df, targets)
    ax = fig.axes[0]
    bars = _bars(ax)
    assert set(bars) == set(STANCES)
    for row, t in enumerate(targets):
        counts = _stance_counts(df, f"stance_{t.key}")
        addressing = sum(counts.get(s, 0) for s in STANCES)
        for s in STANCES:
            assert _widths(bars[s])[row] == pytest.approx(100 * counts.get(s, 0) / addressing)
        # against ends where neutral begins; neutral is centred on zero
        neutral = bars["neutral"].patches[row]
        assert neutral.get_x() == pytest.approx(-neutral.get_width() / 2)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for t, label in zip(targets, labels, strict=True):
        assert label.startswith(t.label)
        n = (df[f"stance_{t.key}"] != "none").sum()
        assert f"({n} of {df.height})" in label
    plt.close(fig)


def test_stance_distribution_per_user(df, targets):
    fig = stance_distribution(df, targets, unit="user")
    bars = _bars(fig.axes[0])
    for row, t in enumerate(targets):
        per_user = list(_user_stance(df, t.key).values())
        addressing = sum(per_user.count(s) for s in STANCES)
        for s in STANCES:
            assert _widths(bars[s])[row] == pytest.approx(100 * per_user.count(s) / addressing)
    data = stance_distribution_data(df, targets, unit="user")
    n_users = df["user"].fill_null("(no name)").n_unique()
    assert set(data["n_total"].to_list()) == {n_users}
    plt.close(fig)


def test_stance_by_user_heatmap_cells(df, targets):
    fig = stance_by_user(df, targets)
    ax = fig.axes[0]
    grid = ax.images[0].get_array()
    rows = [t.get_text().rsplit(" (", 1)[0] for t in ax.get_yticklabels()]
    assert len(rows) == df["user"].fill_null("(no name)").n_unique()  # sample: all users shown
    for i, user in enumerate(rows):
        mine = df.filter(pl.col("user").fill_null("(no name)") == user)
        for j, t in enumerate(targets):
            s = mine[f"stance_{t.key}"].to_list()
            f, a, n = s.count("favor"), s.count("against"), s.count("neutral")
            if f + a + n == 0:
                assert np.ma.is_masked(grid[i, j])
            else:
                assert float(grid[i, j]) == pytest.approx((f - a) / (f + a + n))
    # most active first
    counts = [int(t.get_text().rsplit("(", 1)[1].rstrip(")")) for t in ax.get_yticklabels()]
    assert counts == sorted(counts, reverse=True)
    plt.close(fig)


def test_sentiment_histogram_heights(df):
    fig = sentiment_distribution(df)
    ax = fig.axes[0]
    edges = bin_edges()
    c = pl.col("sentiment_compound")
    expected = []
    for k, (lo, hi) in enumerate(itertools.pairwise(edges)):
        upper = (c <= hi) if k == len(edges) - 2 else (c < hi)
        expected.append(df.filter((c >= lo) & upper).height)
    assert [p.get_height() for p in ax.containers[0].patches] == expected
    assert sum(expected) == df.height
    data = sentiment_distribution_data(df)
    assert data["mean_compound"][0] == pytest.approx(df["sentiment_compound"].mean())
    plt.close(fig)


def test_sentiment_by_stance_points_and_means(df, targets):
    fig = sentiment_by_stance(df, targets)
    for ax, t in zip(fig.axes, targets, strict=True):
        points = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(points) == 1
        xs = np.sort(points[0].get_offsets()[:, 0])
        taking = df.filter(pl.col(f"stance_{t.key}").is_in(list(STANCES)))
        assert np.allclose(xs, np.sort(taking["sentiment_compound"].to_numpy()))
        for s in STANCES:
            group = taking.filter(pl.col(f"stance_{t.key}") == s)
            lines = [ln for ln in ax.lines if ln.get_gid() == f"mean-{t.key}-{s}"]
            if group.height:
                assert lines[0].get_xdata()[0] == pytest.approx(group["sentiment_compound"].mean())
            else:
                assert not lines
    plt.close(fig)


def test_topic_sizes_bars(df):
    fig = topic_sizes(df)
    ax = fig.axes[0]
    widths = [p.get_width() for p in ax.containers[0].patches]
    counts = df.group_by("topic").len()
    expected = sorted(counts.iter_rows(), key=lambda r: (r[0] == OUTLIER, -r[1], r[0]))
    assert widths == [n for _, n in expected]
    plt.close(fig)


def test_topic_stance_bars_are_counts(df, targets):
    fig = topic_stance(df, targets)
    order = sorted(
        df.group_by("topic").len().iter_rows(), key=lambda r: (r[0] == OUTLIER, -r[1], r[0])
    )
    for ax, t in zip(fig.axes[: len(targets)], targets, strict=True):
        bars = _bars(ax)
        for row, (topic, _) in enumerate(order):
            in_topic = df.filter(pl.col("topic") == topic)
            counts = _stance_counts(in_topic, f"stance_{t.key}")
            for s in STANCES:
                assert _widths(bars[s])[row] == counts.get(s, 0)
    plt.close(fig)


def test_reply_network_edges_and_nodes(df, targets):
    fig = reply_network(df, targets)
    ids = set(df["comment_id"])
    linked = df.filter(pl.col("reply_to").is_in([*ids, "article"])).height
    for ax, t in zip(fig.axes, targets, strict=True):
        edges = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]
        assert len(edges) == linked
        nodes = next(c for c in ax.collections if c.get_gid() == f"nodes-{t.key}")
        assert sorted(nodes.get_offsets()[:, 0]) == sorted(df["position"].to_list())
    plt.close(fig)


def test_article_framing_rows(df, targets):
    units = sample_article_units()
    fig = article_framing(df, units, targets)
    outlets = list(dict.fromkeys(units["outlet"]))
    for ax, t in zip(fig.axes[: len(targets)], targets, strict=True):
        bars = _bars(ax)
        tables = [units.filter(pl.col("outlet") == o) for o in outlets] + [df]
        for row, table in enumerate(tables):
            counts = _stance_counts(table, f"stance_{t.key}")
            addressing = sum(counts.get(s, 0) for s in STANCES)
            for s in STANCES:
                want = 100 * counts.get(s, 0) / addressing if addressing else 0.0
                assert _widths(bars[s])[row] == pytest.approx(want)
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert labels[-1].startswith("reader comments (37")
    plt.close(fig)


def test_render_all_writes_files_data_and_manifest(inputs, tmp_path):
    from PIL import Image

    written, skipped = render_figures(inputs, tmp_path, manifest={"inputs": ["x"]})
    assert skipped == {}
    assert set(written) == set(FIGURE_NAMES)
    for name, files in written.items():
        assert set(files) == {"pdf", "svg", "png", "csv", "manifest"}
        for path in files.values():
            assert path.stat().st_size > 0, path
        assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert files["pdf"].read_bytes()[:5] == b"%PDF-"
        manifest = json.loads(files["manifest"].read_text())
        assert manifest["figure"] == name
        assert manifest["inputs"] == ["x"]
        assert manifest["packages"]["matplotlib"] not in ("", "not installed")
        assert manifest["caption"]
        csv = pl.read_csv(files["csv"])
        assert csv.height > 0
        with Image.open(files["png"]) as im:
            width_in = im.width / im.info["dpi"][0]
        # single-column figures fit 3.35 in (+ tight-bbox slack), two-column ones 6.9 in
        assert width_in <= (7.1 if name in DOUBLE else 3.5), (name, width_in)
    # the CSV of the headline figure is the table its bars were drawn from
    head = pl.read_csv(written["stance_distribution"]["csv"])
    assert head.select("target", "stance", "count").rows() == (
        stance_distribution_data(inputs.comments, list(inputs.targets))
        .select("target", "stance", "count")
        .rows()
    )


def test_png_is_300_dpi_and_fits_a_column(inputs, tmp_path):
    from PIL import Image

    fig = stance_distribution(inputs.comments, list(inputs.targets))
    files = save_figure(fig, pl.DataFrame({"a": [1]}), tmp_path, "head", ["png"])
    with Image.open(files["png"]) as im:
        dpi = im.info["dpi"]
        width_in = im.width / dpi[0]
    assert round(dpi[0]) == 300
    assert width_in <= 3.5  # single column, bbox tight
    plt.close(fig)


def test_output_is_byte_identical_across_runs(inputs, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    names = ["stance_distribution", "reply_network"]
    wa, _ = render_figures(inputs, a, names=names)
    wb, _ = render_figures(inputs, b, names=names)
    for name in names:
        for kind, path in wa[name].items():
            assert path.read_bytes() == wb[name][kind].read_bytes(), (name, kind)


def test_missing_stance_columns_is_a_clear_error(df):
    bare = df.select([c for c in df.columns if not c.startswith("stance_")])
    with pytest.raises(ValueError, match="stance"):
        stance_distribution(bare)


def test_parse_formats():
    assert parse_formats("png, PDF") == ("png", "pdf")
    with pytest.raises(ValueError, match="gif"):
        parse_formats("gif")
