"""Sample articles for figure 6: loading, provenance and the paragraph filter."""

from __future__ import annotations

import polars as pl
from readerscope.comments import read_thread
from readerscope.comments.articles import (
    AP_ID,
    SAMPLE_ARTICLES,
    article_paragraphs,
    load_sample_articles,
    paragraphs,
)


def test_sample_articles_load_with_provenance():
    arts = load_sample_articles()
    assert arts["article_id"].to_list() == [AP_ID, *SAMPLE_ARTICLES]
    assert arts["text"].str.len_chars().min() > 2000
    assert arts["provenance"].null_count() == 0
    ap = arts.filter(pl.col("article_id") == AP_ID)["text"].item()
    assert ap == read_thread(None).article_text
    assert load_sample_articles(include_thread_article=False).height == len(SAMPLE_ARTICLES)


def test_paragraphs_drop_page_furniture_and_repeats():
    body = "Japan is hedging between Washington and Beijing as tariffs bite on its car makers."
    text = "\n".join(
        ["Top StoryUS", "", body, "Previous Article", body, "30.9 C", "How useful was this?"]
    )
    assert paragraphs(text) == [body]


def test_article_paragraphs_numbers_each_article_from_one():
    units = article_paragraphs(load_sample_articles())
    firsts = units.group_by("article_id").agg(pl.col("paragraph").min())["paragraph"]
    assert set(firsts.to_list()) == {1}
    assert units.group_by("article_id").len()["len"].min() >= 5
    # nav text of the Newslooks page is gone
    assert not units["text"].str.contains("Previous Article").any()
