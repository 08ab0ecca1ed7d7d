"""Conversation table and user table on a hand-made thread (labels set by hand)."""

from __future__ import annotations

import polars as pl
import pytest
from readerscope.analysis.replies.conversation import conversation_table, user_table
from reply_tables import ROWS, hand_table


def test_conversation_table_depth_root_and_reply_counts() -> None:
    conv = conversation_table(hand_table())
    got = {r["comment_id"]: r for r in conv.iter_rows(named=True)}
    assert [got[c]["depth"] for c in ("c1", "c2", "c3", "c4", "c8")] == [0, 1, 2, 3, 4]
    assert got["c5"]["depth"] == 0 and got["c5"]["root_id"] == "c5"  # reply to the article
    assert {c: got[c]["root_id"] for c in ("c2", "c8", "c7")} == {
        "c2": "c1",
        "c8": "c1",
        "c7": "c6",
    }
    assert got["c1"]["n_direct_replies"] == 1 and got["c1"]["n_total_replies"] == 4
    assert got["c2"]["n_total_replies"] == 3 and got["c6"]["n_total_replies"] == 1
    assert got["c8"]["n_total_replies"] == 0
    assert conv["comment_id"].to_list() == [r[0] for r in ROWS]


def test_dangling_and_cyclic_given_targets_do_not_break_the_table() -> None:
    df = hand_table().with_columns(
        pl.when(pl.col("comment_id") == "c6")
        .then(pl.lit("nowhere"))
        .when(pl.col("comment_id") == "c1")
        .then(pl.lit("c4"))  # c1 -> c4 -> c3 -> c2 -> c1
        .otherwise(pl.col("reply_to"))
        .alias("reply_to")
    )
    conv = conversation_table(df)
    assert conv.height == df.height
    got = {r["comment_id"]: r for r in conv.iter_rows(named=True)}
    assert got["c6"]["depth"] == 0  # unknown target: top-level
    cycle = [got[c]["depth"] for c in ("c1", "c2", "c3", "c4")]
    assert sorted(cycle) == [0, 1, 2, 3]  # the cycle was cut once, not looped


def test_user_table_roles_sentiment_and_stance_shares() -> None:
    users = user_table(hand_table())
    got = {r["user"]: r for r in users.iter_rows(named=True)}
    assert {
        u: (got[u]["comments"], got[u]["replies_given"], got[u]["replies_received"])
        for u in ("ann", "bob", "cat", "dan")
    } == {"ann": (2, 1, 2), "bob": (2, 1, 2), "cat": (2, 2, 1), "dan": (1, 1, 0)}
    assert got[None]["article_replies"] == 1 and got[None]["replies_given"] == 0
    assert got["ann"]["mean_sentiment"] == pytest.approx(0.4)
    assert got["ann"]["stance_us_favor"] == 1.0
    assert got["ann"]["stance_china_against"] == 0.5
    assert got["ann"]["stance_china_net"] == -0.5
    assert got["bob"]["stance_us_net"] == -1.0
    assert users["comments"].sum() == len(ROWS)


def test_user_table_without_stance_or_sentiment_columns() -> None:
    users = user_table(hand_table().drop("stance_us", "stance_china", "sentiment_compound"))
    assert users.columns == [
        "user",
        "comments",
        "replies_given",
        "replies_received",
        "article_replies",
    ]
