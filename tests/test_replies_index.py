"""The indexed reply inference gives exactly the decisions of the old quadratic scan.

The reference is a frozen copy of the old code (tests/reply_reference.py) with one fix
(``add_replies_fixed``): an anonymous comment is no longer its own quote_fragment source (the old
scan read the comment's own words back from the index and could point it at itself).
Threads are synthetic (tests/reply_synthetic.py) and full of every cue; besides named
pages they include reader-view threads (no names), mixed anonymous ones, threads
without an article or headline, and non-default thresholds.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
import reply_reference as ref
from readerscope.analysis.embeddings import EmbeddingConfig
from readerscope.analysis.replies.inference import ReplyConfig
from replies_helpers import Setup, run_replies
from reply_synthetic import article_and_title, synthetic_thread

reference_replies = ref.add_replies_fixed


LEXICAL = ReplyConfig(use_embeddings=False)
CASES = [
    # (comments, seed, anonymous share, with article/title, config)
    (400, 1, 0.0, True, LEXICAL),
    (400, 2, 0.0, False, LEXICAL),
    (300, 3, 1.0, True, LEXICAL),  # reader view: no commenter names at all
    (300, 4, 0.3, True, LEXICAL),
    (250, 5, 0.0, True, replace(LEXICAL, min_block=1, near_coverage=0.6)),
    (
        250,
        6,
        0.2,
        True,
        replace(LEXICAL, min_block=3, unmarked_coverage=0.7, min_token_coverage=0.3),
    ),
    (250, 7, 0.0, True, replace(LEXICAL, min_quote_tokens=3, min_fragment_tokens=1)),
    (200, 8, 0.5, True, replace(LEXICAL, min_block=0)),
]


def _run(n, seed, anonymous, with_article, config):
    df = synthetic_thread(n, seed=seed, thread_id=f"s{seed}", anonymous=anonymous)
    article, title = article_and_title()
    articles = {f"s{seed}": article} if with_article else None
    titles = {f"s{seed}": title} if with_article else None
    new = run_replies(df, articles, titles, config)
    setup = config if isinstance(config, Setup) else Setup(config=config)
    old = reference_replies(df, articles, titles, setup.config, setup.embedding)
    return new, old


@pytest.mark.slow
@pytest.mark.parametrize(("n", "seed", "anonymous", "with_article", "config"), CASES)
def test_same_decisions_as_the_old_scan(n, seed, anonymous, with_article, config) -> None:
    new, old = _run(n, seed, anonymous, with_article, config)
    cols = ["comment_id", "reply_to", "reply_method", "reply_confidence"]
    assert new.select(cols).rows() == old.select(cols).rows()
    # Every cue fires somewhere, so the comparison is not vacuous.
    assert new["reply_method"].drop_nulls().n_unique() >= 7


def test_same_decisions_with_embeddings(tmp_path) -> None:
    cfg = Setup(embedding=EmbeddingConfig(backend="minilm", cache_dir=str(tmp_path)))
    new, old = _run(120, 9, 0.0, True, cfg)
    assert new.equals(old)


def test_old_scan_pointed_anonymous_fragments_at_themselves() -> None:
    """The one deliberate difference: the old scan's self-replies are gone."""
    df = synthetic_thread(300, seed=0, thread_id="s0", anonymous=1.0)
    article, title = article_and_title()
    old = ref.add_replies(df, {"s0": article}, {"s0": title}, LEXICAL)
    new = run_replies(df, {"s0": article}, {"s0": title}, LEXICAL)
    assert old.filter(pl.col("reply_to") == pl.col("comment_id")).height > 0
    assert new.filter(pl.col("reply_to") == pl.col("comment_id")).height == 0


def test_reader_view_anonymous_self_source_is_not_counted() -> None:
    """A fragment found only in the anonymous comment itself gives no edge."""
    rows = [
        {"thread_id": "t", "comment_id": "t-c1", "position": 1, "user": None, "text": "Hello."},
        {
            "thread_id": "t",
            "comment_id": "t-c2",
            "position": 2,
            "user": None,
            "text": 'It is not "perfectly fine" here.',
        },
    ]
    from readerscope.comments.schema import conform

    out = run_replies(conform(pl.DataFrame(rows)), setup=LEXICAL)
    assert out["reply_to"].to_list() == [None, None]
