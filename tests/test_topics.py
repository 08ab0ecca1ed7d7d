"""Topics on the real seed thread with the real MiniLM model (no mocks).

The embedding cache is shared by the tests of this module (one directory per session),
so the model runs once per text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from readerscope.analysis.context import StageContext
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.embeddings import backends as B
from readerscope.analysis.topics import (
    OUTLIER,
    TopicConfig,
    add_topics,
    fit_topic_model,
    fit_topics,
    topics_by_stance,
)
from readerscope.analysis.topics.config import plan_topics
from readerscope.analysis.topics.words import c_tf_idf, make_label
from readerscope.analysis.topics.words import clean as _clean
from readerscope.comments import read_thread

FIXTURE = Path(__file__).parent / "fixtures" / "topics_themes.txt"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("emb-cache"))


@pytest.fixture(scope="module")
def seed() -> pl.DataFrame:
    return read_thread().comments


def run_topics(df: pl.DataFrame, cache_dir: str, **settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(comment table with topics, topic table) from the real stage."""
    context = StageContext(embedding=EmbeddingConfig(cache_dir=cache_dir))
    model = fit_topic_model(df, TopicConfig(**settings), context=context)
    return model.fitted(df), model.table


@pytest.fixture(scope="module")
def seed_topics(seed, cache_dir):
    return run_topics(seed, cache_dir)


def test_seed_has_coherent_topics_and_few_outliers(seed, seed_topics):
    out, table = seed_topics
    assert out.height == seed.height == 37
    assert out.schema["topic"] == pl.Int32 and out.schema["topic_label"] == pl.String
    real = table.filter(pl.col("topic") != OUTLIER)
    assert real.height >= 4
    assert (out["topic"] == OUTLIER).sum() <= 0.10 * out.height
    assert table["size"].sum() == out.height
    assert real["topic"].to_list() == list(range(real.height))
    assert real["size"].to_list() == sorted(real["size"].to_list(), reverse=True)
    # Labels: distinct, non-empty, and every label word occurs in the topic's own comments.
    assert real["label"].n_unique() == real.height
    for row in real.iter_rows(named=True):
        assert row["label"]
        words = " ".join(
            _clean(t).lower() for t in out.filter(pl.col("topic") == row["topic"])["text"]
        ).split()
        for token in row["label"].replace(",", " ").split():
            assert token in words, (row["label"], token)
        reps = row["representative_ids"].split("; ")
        assert 1 <= len(reps) <= 3
        members = out.filter(pl.col("topic") == row["topic"])["comment_id"].to_list()
        assert set(reps) <= set(members)


def test_seed_topics_are_recognisable(seed_topics):
    """The thread's known themes show up: Trump's tariffs, and the 'tightrope' framing."""
    _, table = seed_topics
    words = [set(w.split("; ")) | set(" ".join(w.split("; ")).split()) for w in table["top_words"]]
    assert any({"tariffs", "trump"} <= w for w in words)
    assert any("tightrope" in w or "rope" in w for w in words)


def test_empty_text_is_outlier_and_nothing_is_lost(seed, cache_dir):
    df = seed.with_columns(
        pl.when(pl.col("position") == 3).then(pl.lit("  ")).otherwise(pl.col("text")).alias("text")
    )
    out, table = run_topics(df, cache_dir)
    assert out.height == df.height
    row = out.filter(pl.col("position") == 3)
    assert row["topic"].item() == OUTLIER and row["topic_label"].item() == "outliers"
    assert table.filter(pl.col("topic") == OUTLIER)["size"].item() == 1
    assert out.drop("topic", "topic_label").equals(df)


def test_size_rule_and_overrides():
    cfg = TopicConfig(small_corpus_max=100)
    small, large = plan_topics(37, cfg), plan_topics(101, cfg)
    assert (small.engine, small.reduction, small.clustering, small.n_topics) == (
        "lite",
        "none",
        "agglomerative",
        6,
    )
    assert (large.engine, large.reduction, large.clustering) == ("bertopic", "umap", "hdbscan")
    forced = plan_topics(37, TopicConfig(clustering="kmeans", n_topics=5, engine="bertopic"))
    assert (forced.engine, forced.clustering, forced.n_topics) == ("bertopic", "kmeans", 5)
    with pytest.raises(ValueError, match="lite"):
        plan_topics(37, TopicConfig(engine="lite", reduction="umap"))
    with pytest.raises(ValueError, match="clustering: 'dbscan' is not a valid choice; choose"):
        TopicConfig(clustering="dbscan")  # checked when the configuration is built


def test_make_label_skips_redundant_words():
    words = ["japan china", "china japan", "japan", "ties", "trade"]
    assert make_label(words) == "japan china, ties, trade"
    words = ["tightrope", "tight rope", "japanese", "japan", "tariffs", "tariff", "xi"]
    assert make_label(words) == "tightrope, japanese, tariffs"
    assert make_label(["us", "usa", "trump"]) == "us, usa, trump"  # short tokens: exact only
    assert make_label(["", ""]) == ""


def test_second_run_does_not_embed_again(seed, tmp_path, monkeypatch):
    """Count what reaches the real encoder: the second run must find everything cached."""
    calls: list[int] = []
    real = B.BACKENDS["minilm-numpy"]  # what 'auto' uses for a thread of 37 comments

    def counting(texts, config):
        calls.append(len(texts))
        return real.encode(texts, config)

    monkeypatch.setitem(B.BACKENDS, real.name, B.Backend(real.name, real.model_id, counting))
    first = run_topics(seed, str(tmp_path))
    assert sum(calls) >= 37  # comments, then the candidate words of each topic
    calls.clear()
    second = run_topics(seed, str(tmp_path))
    assert calls == []
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    # the stage function gives the same columns
    context = StageContext(embedding=EmbeddingConfig(cache_dir=str(tmp_path)))
    assert add_topics(seed, context=context).equals(first[0])


_SCRIPT = textwrap.dedent(
    """
    import sys
    from readerscope.analysis.context import StageContext
    from readerscope.analysis.embeddings import EmbeddingConfig
    from readerscope.analysis.topics import fit_topic_model
    from readerscope.comments import read_thread

    df = read_thread().comments
    context = StageContext(embedding=EmbeddingConfig(cache_dir=sys.argv[1]))
    model = fit_topic_model(df, context=context)
    out, table = model.fitted(df), model.table
    out.select("comment_id", "topic", "topic_label").write_csv(sys.argv[2] + "/comments.csv")
    table.write_csv(sys.argv[2] + "/topics.csv")
    print(",".join(m for m in ("bertopic", "umap", "hdbscan", "numba") if m in sys.modules))
    """
)


def test_identical_across_processes(seed_topics, cache_dir, tmp_path):
    """Two fresh processes: one embeds from scratch on 1 thread, one reads a copy of the
    cache this process wrote (default threads). Same bytes out."""
    shutil.copytree(cache_dir, tmp_path / "c1")
    outs = []
    for i, threads in enumerate(("1", "")):
        (tmp_path / f"out{i}").mkdir()
        env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        env = {k: v for k, v in env.items() if v}
        args = [sys.executable, "-c", _SCRIPT, str(tmp_path / f"c{i}"), str(tmp_path / f"out{i}")]
        run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        outs.append(run.stdout.strip())
    for name in ("comments.csv", "topics.csv"):
        a, b = ((tmp_path / f"out{i}" / name).read_bytes() for i in (0, 1))
        assert a == b and len(a) > 100
    # The small path never imports BERTopic/UMAP/HDBSCAN, so it never compiles numba code.
    assert outs == ["", ""]


def test_lite_engine_matches_bertopic(seed, cache_dir):
    """The lite engine reproduces BERTopic's clusters and c-TF-IDF on the same settings."""
    docs = seed["text"].to_list()
    emb_cfg = EmbeddingConfig(cache_dir=cache_dir)
    cfg = TopicConfig(representation="ctfidf")
    lite = fit_topics(docs, cfg, embedding=emb_cfg)
    ref = fit_topics(
        docs, TopicConfig(representation="ctfidf", engine="bertopic"), embedding=emb_cfg
    )
    assert ref.plan.engine == "bertopic" and lite.plan.engine == "lite"

    def groups(topics):
        return {t: frozenset(np.flatnonzero(topics == t).tolist()) for t in set(topics.tolist())}

    lite_groups, ref_groups = groups(lite.topics), groups(ref.topics)
    assert set(lite_groups.values()) == set(ref_groups.values())
    to_lite = {t: next(k for k, g in lite_groups.items() if g == ref_groups[t]) for t in ref_groups}
    ids, matrix, vocab = c_tf_idf(docs, lite.topics, cfg)
    assert list(vocab) == list(ref.model.vectorizer_model.get_feature_names_out())
    ref_matrix = ref.model.c_tf_idf_.toarray()
    for ref_row, ref_topic in enumerate(sorted(ref_groups)):
        np.testing.assert_allclose(ref_matrix[ref_row], matrix[ids.index(to_lite[ref_topic])])
        assert set(ref.words[ref_topic][:3]) <= set(
            np.asarray(vocab)[matrix[ids.index(to_lite[ref_topic])] > 0]
        )


def _theme_corpus(seed: pl.DataFrame) -> pl.DataFrame:
    """Seed comments plus comments made of two sentences of one fixture theme."""
    themes: dict[str, list[str]] = {}
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            themes[line[3:]] = []
        elif line and not line.startswith("#"):
            themes[list(themes)[-1]].append(line)
    rows = [
        {"comment_id": c, "text": t, "theme": None}
        for c, t in seed.select("comment_id", "text").iter_rows()
    ]
    for theme, sents in themes.items():
        for i in range(len(sents)):
            for j in range(i + 1, min(i + 6, len(sents))):  # ~45 per theme
                rows.append(
                    {
                        "comment_id": f"{theme}-{i}-{j}",
                        "text": f"{sents[i]} {sents[j]}",
                        "theme": theme,
                    }
                )
    return pl.DataFrame(rows)


KEYWORDS = {
    "seafood": {"seafood", "fish", "fukushima", "water", "scallops"},
    "islands": {"senkaku", "senkakus", "islands", "coast", "naval", "chinese"},
    "cars": {"car", "cars", "auto", "tariff", "toyota"},
    "history": {"war", "wartime", "massacre", "atrocities", "nanking"},
}


def _check_themes(out: pl.DataFrame, table: pl.DataFrame, min_purity: float) -> None:
    dominant = {}
    for theme in KEYWORDS:
        counts = out.filter(pl.col("theme") == theme)["topic"].value_counts(sort=True)
        top, n = counts.row(0)
        assert top != OUTLIER, theme
        assert n / counts["count"].sum() >= min_purity, (theme, counts)
        dominant[theme] = top
        words = table.filter(pl.col("topic") == top)["top_words"].item()
        assert KEYWORDS[theme] & set(words.replace(";", " ").split()), (theme, words)
    assert len(set(dominant.values())) == len(KEYWORDS)


def test_large_corpus_path(seed, cache_dir):
    """Hundreds of comments, threshold lowered: UMAP + HDBSCAN through BERTopic itself."""
    df = _theme_corpus(seed)
    assert df.height >= 200
    cfg = TopicConfig(small_corpus_max=100)
    assert plan_topics(df.height, cfg).engine == "bertopic"
    out, table = run_topics(df, cache_dir, small_corpus_max=100)
    _check_themes(out, table, min_purity=0.8)
    assert table["size"].sum() == df.height
    # Fit on a seeded sample, assign the rest with BERTopic.transform.
    sampled, sampled_table = run_topics(df, cache_dir, small_corpus_max=100, fit_sample_size=200)
    assert sampled["topic"].null_count() == 0
    _check_themes(sampled, sampled_table, min_purity=0.7)


def test_topics_by_stance_hand_labelled():
    df = pl.DataFrame(
        {
            "topic": [0, 0, 0, 1, 1, -1],
            "topic_label": ["a", "a", "a", "b", "b", "outliers"],
            "stance_us": ["favor", "against", "against", "none", None, "neutral"],
            "stance_china": ["none", "none", "favor", "against", "against", "none"],
            "stance_us_confidence": [0.5] * 6,  # not a stance column: left out
            "sentiment_compound": [0.5, -0.5, -0.1, 0.2, 0.4, 0.0],
        },
        schema_overrides={"topic": pl.Int32},
    )
    out = topics_by_stance(df)
    assert out.height == 6 and set(out["target"]) == {"us", "china"}
    us0 = out.filter((pl.col("topic") == 0) & (pl.col("target") == "us")).row(0, named=True)
    assert (us0["favor"], us0["against"], us0["n_comments"]) == (1, 2, 3)
    assert us0["share_against"] == pytest.approx(2 / 3)
    assert us0["mean_sentiment"] == pytest.approx(-0.1 / 3)
    us1 = out.filter((pl.col("topic") == 1) & (pl.col("target") == "us")).row(0, named=True)
    assert (us1["n_with_stance"], us1["none"], us1["share_none"]) == (1, 1, 1.0)
    cn1 = out.filter((pl.col("topic") == 1) & (pl.col("target") == "china")).row(0, named=True)
    assert cn1["share_against"] == 1.0 and cn1["topic_label"] == "b"
    with pytest.raises(ValueError, match="stance_"):
        topics_by_stance(df.select("topic", "sentiment_compound"))


def test_topics_by_stance_on_real_stance_columns(seed_topics):
    """With the project's own sentiment and stance stages on the seed thread."""
    from readerscope.analysis.config import AnalysisConfig
    from readerscope.analysis.pipeline import score_comments

    out, table = seed_topics
    scored = score_comments(out, AnalysisConfig())
    by = topics_by_stance(scored)
    targets = sorted(
        c.removeprefix("stance_")
        for c in scored.columns
        if c in ("stance_us", "stance_china", "stance_japan")
    )
    assert targets == ["china", "japan", "us"]
    assert by.height == table.height * len(targets)
    for row in by.iter_rows(named=True):
        size = table.filter(pl.col("topic") == row["topic"])["size"].item()
        assert row["n_comments"] == size
        assert sum(row[v] for v in ("favor", "against", "neutral", "none")) == row["n_with_stance"]
        expected = scored.filter(pl.col("topic") == row["topic"])["sentiment_compound"].mean()
        assert row["mean_sentiment"] == pytest.approx(expected)


def test_tiny_inputs(seed, cache_dir):
    none, table = run_topics(seed.head(0), cache_dir)
    assert none.height == 0 and table.height == 0 and none.schema["topic"] == pl.Int32
    one, table = run_topics(seed.head(1), cache_dir)
    assert one["topic"].to_list() == [0] and table["size"].to_list() == [1]
    three, table = run_topics(seed.head(3), cache_dir)
    assert sorted(set(three["topic"])) == [0, 1] and table["size"].sum() == 3
