"""Reply and discourse networks: hand-labelled table, file exports, and the seed thread."""

from __future__ import annotations

import networkx as nx
import pytest
from readerscope.analysis.replies.networks import (
    affiliation_edges,
    build_networks,
    conflict_edges,
    congruence_edges,
    reply_edges,
    to_networkx,
    write_gexf,
    write_graphml,
    write_networks,
)
from reply_tables import hand_table


def rows(df) -> list[tuple]:
    return [tuple(r) for r in df.iter_rows()]


def test_reply_edges_between_users() -> None:
    assert rows(reply_edges(hand_table())) == [
        ("ann", "cat", 1),
        ("bob", "ann", 1),
        ("cat", "ann", 1),
        ("cat", "bob", 1),
        ("dan", "bob", 1),
    ]


def test_affiliation_is_signed_and_skips_neutral_none_and_anonymous() -> None:
    assert rows(affiliation_edges(hand_table())) == [
        ("ann", "china", "against", -1, 1),
        ("ann", "us", "favor", 1, 2),
        ("bob", "china", "against", -1, 1),
        ("bob", "us", "against", -1, 2),
        ("cat", "us", "favor", 1, 1),
        ("dan", "china", "favor", 1, 1),
    ]


def test_congruence_and_conflict() -> None:
    df = hand_table()
    assert rows(congruence_edges(df)) == [
        ("ann", "bob", 1, "china:against"),
        ("ann", "cat", 1, "us:favor"),
    ]
    assert rows(conflict_edges(df)) == [
        ("ann", "bob", 1, "us"),
        ("ann", "dan", 1, "china"),
        ("bob", "cat", 1, "us"),
        ("bob", "dan", 1, "china"),
    ]


def test_no_stance_columns_gives_empty_discourse_networks() -> None:
    nets = build_networks(hand_table().drop("stance_us", "stance_china"))
    assert nets.affiliation.height == nets.congruence.height == nets.conflict.height == 0
    assert nets.reply.height == 5


def test_graph_files_are_deterministic_and_readable(tmp_path) -> None:
    nets = build_networks(hand_table())
    first = [p.read_bytes() for p in write_networks(nets, tmp_path / "a")]
    second = [p.read_bytes() for p in write_networks(nets, tmp_path / "b")]
    assert first == second
    reply = nx.read_graphml(tmp_path / "a" / "reply.graphml")
    assert reply.is_directed() and reply["bob"]["ann"]["weight"] == 1
    aff = nx.read_gexf(tmp_path / "a" / "affiliation.gexf")
    kinds = nx.get_node_attributes(aff, "kind")
    assert kinds["target:us"] == "target" and kinds["ann"] == "user"
    signs = sorted(d["sign"] for _, _, d in aff.edges(data=True))
    assert signs == [-1, -1, -1, 1, 1, 1]


def test_two_mode_graph_keeps_both_stances_to_one_target(tmp_path) -> None:
    df = hand_table()
    df = df.with_columns(df["stance_china"].scatter(3, "favor"))  # ann now both ways on china
    graph = to_networkx(affiliation_edges(df), two_mode=True)
    assert graph.number_of_edges("ann", "target:china") == 2
    write_graphml(graph, tmp_path / "g.graphml")
    write_gexf(graph, tmp_path / "g.gexf")
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_edges() == graph.number_of_edges()


def test_seed_thread_with_real_stages(tmp_path) -> None:
    stance = pytest.importorskip("readerscope.analysis.stance")
    sentiment = pytest.importorskip("readerscope.analysis.sentiment")
    from readerscope.analysis.replies.conversation import user_table
    from readerscope.analysis.replies.inference import ReplyConfig, add_replies
    from readerscope.comments import read_thread

    thread = read_thread()
    df = stance.add_stance(sentiment.add_sentiment(thread.comments))
    df = add_replies(
        df, {thread.thread_id: thread.article_text}, None, ReplyConfig(use_embeddings=False)
    )
    nets = build_networks(df)
    users = user_table(df)
    assert users["comments"].sum() == df.height
    assert users.height == df["user"].n_unique()
    assert {"stance_us_net", "stance_china_net", "mean_sentiment"} <= set(users.columns)
    # Companion columns (stance_us_score, stance_us_evidence) are not stance labels.
    assert not [c for c in users.columns if "evidence" in c or "score" in c]
    assert set(nets.affiliation["target"].unique().to_list()) <= {"us", "china", "japan"}
    # Every congruence edge is backed by the same (target, stance) in the affiliation table.
    aff = {(s, t, st) for s, t, st, *_ in rows(nets.affiliation)}
    for a, b, _, targets in rows(nets.congruence):
        for pair in targets.split(","):
            t, st = pair.split(":")
            assert (a, t, st) in aff and (b, t, st) in aff
    assert (
        nets.reply["weight"].sum()
        == df.filter(df["reply_to"].is_not_null() & (df["reply_to"] != "article")).height
    )
    write_networks(nets, tmp_path)
