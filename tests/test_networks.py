"""Reply and discourse networks: hand-labelled table, file exports, and the seed thread."""

from __future__ import annotations

import networkx as nx
import polars as pl
import pytest
from readerscope.analysis.replies.networks import (
    NetworkConfig,
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
from replies_helpers import run_replies
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
    from readerscope.analysis.replies.inference import ReplyConfig
    from readerscope.comments import read_thread

    thread = read_thread()
    df = stance.add_stance(sentiment.add_sentiment(thread.comments))
    df = run_replies(
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


# -- bounded congruence / conflict ---------------------------------------------------


def old_pairs(df, same: bool) -> list[tuple]:
    """The old all-pairs loop (before the size bound), kept as the reference."""
    from itertools import combinations

    from readerscope.analysis.replies.networks import _positions

    by_user: dict[str, set[tuple[str, str]]] = {}
    for user, target, stance, _ in _positions(df).iter_rows():
        by_user.setdefault(user, set()).add((target, stance))
    rows = []
    for a, b in combinations(sorted(by_user), 2):
        if same:
            labels = [f"{t}:{s}" for t, s in sorted(by_user[a] & by_user[b])]
        else:
            flip = {"favor": "against", "against": "favor"}
            labels = sorted({t for t, s in by_user[a] if (t, flip[s]) in by_user[b]})
        if labels:
            rows.append((a, b, len(labels), ",".join(labels)))
    return rows


def stance_table(n_comments: int, n_users: int, seed: int, targets=("us", "china", "japan")):
    """Random comments with stance labels (favor/against/neutral/none) per target."""
    import random

    import polars as pl

    rng = random.Random(seed)
    labels = ["favor", "against", "neutral", "none", "none"]
    data = {
        "thread_id": ["t"] * n_comments,
        "comment_id": [f"c{k}" for k in range(n_comments)],
        "reply_to": [None if k % 3 or k == 0 else f"c{k - 1}" for k in range(n_comments)],
        "user": [
            None if rng.random() < 0.05 else f"u{rng.randrange(n_users):04d}"
            for _ in range(n_comments)
        ],
    }
    for t in targets:
        data[f"stance_{t}"] = [rng.choice(labels) for _ in range(n_comments)]
    return pl.DataFrame(data)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("same", [True, False])
def test_unbounded_edges_equal_the_old_pair_loop(seed: int, same: bool) -> None:
    df = stance_table(
        300, 25 + 15 * seed, seed, targets=("us", "china", "japan", "us2")[: 2 + seed % 3]
    )
    cfg = NetworkConfig(top_k=None, chunk_rows=1 + 97 * seed)  # tiny chunks: same edges
    fn = congruence_edges if same else conflict_edges
    assert rows(fn(df, cfg)) == old_pairs(df, same)


def test_top_k_bound_keeps_each_users_strongest_edges() -> None:
    df = stance_table(2000, 300, 7)
    full = build_networks(df, NetworkConfig(top_k=None))
    for k in (1, 5):
        nets = build_networks(df, NetworkConfig(top_k=k, chunk_rows=5000))
        users = set(full.affiliation["source"].to_list())
        for name in ("congruence", "conflict"):
            edges, every = getattr(nets, name), getattr(full, name)
            assert edges.height <= k * len(users)
            assert nets.unbounded[name] == every.height
            # Kept edges are edges of the full network, with the same weight and targets.
            assert set(rows(edges)) <= set(rows(every))
            # Every user keeps at least min(k, degree) edges, as strong as their k-th.
            for user in users:
                mine = edges.filter((pl.col("source") == user) | (pl.col("target") == user))
                theirs = every.filter((pl.col("source") == user) | (pl.col("target") == user))
                assert mine.height >= min(k, theirs.height)
                if theirs.height:
                    kth = sorted(theirs["weight"].to_list(), reverse=True)[:k][-1]
                    assert mine.filter(pl.col("weight") >= kth).height >= min(k, theirs.height)


def test_bound_is_deterministic_and_recorded() -> None:
    df = stance_table(1500, 200, 3)
    a = build_networks(df)
    b = build_networks(df, NetworkConfig(chunk_rows=777))
    assert a.congruence.equals(b.congruence) and a.conflict.equals(b.conflict)
    bound = a.bound
    assert bound["top_k"] == 10 and bound["min_shared"] == 1 and bound["tie_break"] == "hash"
    assert bound["edges"]["congruence"] == a.congruence.height
    assert bound["edges_before_top_k"]["congruence"] >= a.congruence.height
    by_name = build_networks(df, NetworkConfig(tie_break="name"))
    assert by_name.congruence.height <= 10 * 200


def test_min_shared_drops_weak_edges() -> None:
    df = stance_table(1500, 100, 4)
    nets = build_networks(df, NetworkConfig(top_k=None, min_shared=2))
    assert nets.congruence["weight"].min() >= 2 and nets.conflict["weight"].min() >= 2
    full = build_networks(df, NetworkConfig(top_k=None))
    assert set(rows(nets.congruence)) == {r for r in rows(full.congruence) if r[2] >= 2}


def test_hash_tie_break_makes_no_alphabetical_hubs() -> None:
    """Ties broken by name would send every user's k edges to the first names."""
    df = stance_table(3000, 600, 5, targets=("us",))  # one target: every weight is 1
    degree = {}
    for name in ("hash", "name"):
        edges = build_networks(df, NetworkConfig(top_k=3, tie_break=name)).congruence
        counts = pl.concat([edges["source"], edges["target"]]).value_counts()
        degree[name] = counts["count"].max()
    assert degree["hash"] < 20 < degree["name"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top_k": 0}, "top_k: must be at least 1, got 0"),
        ({"top_k": "10"}, "top_k: must be an integer or none"),
        ({"min_shared": 0}, "min_shared: must be at least 1"),
        (
            {"tie_break": "random"},
            "tie_break: 'random' is not a valid choice; choose one of 'hash'",
        ),
        ({"chunk_rows": 0}, "chunk_rows: must be at least 1"),
    ],
)
def test_network_config_is_validated(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        NetworkConfig(**kwargs)


@pytest.mark.parametrize("path", ["masks", "join"])
def test_both_pair_paths_equal_the_old_loop(path: str, monkeypatch) -> None:
    """Bit masks over a cross join (dense positions) and the join on positions (sparse
    or many targets) give the same edges; 40 targets is past the 31 a mask can hold."""
    from readerscope.analysis.replies import networks

    monkeypatch.setattr(networks, "_use_masks", lambda *a: path == "masks")
    for targets in [("us", "china", "japan"), tuple(f"t{k:02d}" for k in range(40))]:
        if path == "masks" and len(targets) > 31:
            continue
        df = stance_table(400, 60, 11, targets=targets)
        for same, fn in ((True, congruence_edges), (False, conflict_edges)):
            cfg = NetworkConfig(top_k=None, chunk_rows=500)
            assert rows(fn(df, cfg)) == old_pairs(df, same)
            if len(targets) > 31:
                continue  # a mask cannot hold them: only the join path applies
            bounded = {r[:2] for r in rows(fn(df, NetworkConfig(top_k=3)))}
            monkeypatch.setattr(networks, "_use_masks", lambda *a: path != "masks")
            other = {r[:2] for r in rows(fn(df, NetworkConfig(top_k=3, chunk_rows=700)))}
            monkeypatch.setattr(networks, "_use_masks", lambda *a: path == "masks")
            assert bounded == other
