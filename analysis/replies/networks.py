"""Reply and discourse networks (Discourse Network Analysis style) as polars edge tables.

Four networks, all keyed by commenter name (comments without a user are left out of
the user-level networks: they cannot be told apart):

- reply: user -> user, one edge per ordered pair, ``weight`` = replies.
- affiliation (two-mode): user -> stance target, one edge per (user, target, stance)
  with stance favor/against; ``sign`` +1/-1 and ``weight`` = comments. Neutral and
  'none' are not positions, so they make no edge (as DNA's agreement qualifier).
- congruence (one-mode): users who take the *same* stance on the same target;
  ``weight`` = number of shared (target, stance) pairs, ``targets`` lists them.
- conflict (one-mode): users who take *opposite* stances on the same target;
  ``weight`` = number of targets they clash on.

Graphs are exported with networkx (GraphML, GEXF for Gephi) with nodes and edges in
sorted order, so the same table gives byte-identical files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import networkx as nx
import polars as pl

from ...comments.schema import ARTICLE
from ..columns import AGAINST, FAVOR, STANCE_PREFIX, stance_column, stance_keys

SIGN = {FAVOR: 1, AGAINST: -1}


@dataclass(frozen=True)
class Networks:
    """The four edge tables of one analysis."""

    reply: pl.DataFrame
    affiliation: pl.DataFrame
    congruence: pl.DataFrame
    conflict: pl.DataFrame


def reply_edges(df: pl.DataFrame) -> pl.DataFrame:
    """user -> replied-to user with the number of replies (self-replies kept, as loops)."""
    authors = df.select(
        pl.col("thread_id"), pl.col("comment_id").alias("reply_to"), pl.col("user").alias("target")
    )
    edges = (
        df.filter(pl.col("reply_to").is_not_null() & (pl.col("reply_to") != ARTICLE))
        .select("thread_id", "user", "reply_to")
        .join(authors, on=["thread_id", "reply_to"], how="inner")
        .filter(pl.col("user").is_not_null() & pl.col("target").is_not_null())
        .group_by("user", "target")
        .agg(pl.len().cast(pl.Int64()).alias("weight"))
        .rename({"user": "source"})
    )
    return edges.sort("source", "target")


def _positions(df: pl.DataFrame) -> pl.DataFrame:
    """Long table (user, target, stance, comments) of favor/against codes."""
    cols = [stance_column(k) for k in stance_keys(df)]
    schema = {"user": pl.String(), "target": pl.String(), "stance": pl.String()}
    if not cols:
        return pl.DataFrame(schema={**schema, "comments": pl.Int64()})
    long = (
        df.filter(pl.col("user").is_not_null())
        .select("user", *cols)
        .unpivot(index="user", on=cols, variable_name="target", value_name="stance")
        .filter(pl.col("stance").is_in(list(SIGN)))
        .with_columns(pl.col("target").str.strip_prefix(STANCE_PREFIX))
    )
    return (
        long.group_by("user", "target", "stance")
        .agg(pl.len().cast(pl.Int64()).alias("comments"))
        .sort("user", "target", "stance")
    )


def affiliation_edges(df: pl.DataFrame) -> pl.DataFrame:
    """Two-mode user x target edges: stance, sign (+1 favor / -1 against), weight."""
    pos = _positions(df)
    return pos.select(
        pl.col("user").alias("source"),
        pl.col("target"),
        pl.col("stance"),
        pl.col("stance").replace_strict(SIGN, return_dtype=pl.Int8()).alias("sign"),
        pl.col("comments").alias("weight"),
    ).sort("source", "target", "stance")


def _pairs(df: pl.DataFrame, same: bool) -> pl.DataFrame:
    pos = _positions(df)
    by_user: dict[str, set[tuple[str, str]]] = {}
    for user, target, stance, _ in pos.iter_rows():
        by_user.setdefault(user, set()).add((target, stance))
    rows = []
    for a, b in combinations(sorted(by_user), 2):
        if same:
            shared = sorted(by_user[a] & by_user[b])
            labels = [f"{t}:{s}" for t, s in shared]
        else:
            clash = {
                t
                for t, s in by_user[a]
                if (t, "against" if s == "favor" else "favor") in by_user[b]
            }
            labels = sorted(clash)
        if labels:
            rows.append(
                {"source": a, "target": b, "weight": len(labels), "targets": ",".join(labels)}
            )
    schema = {
        "source": pl.String(),
        "target": pl.String(),
        "weight": pl.Int64(),
        "targets": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema)


def congruence_edges(df: pl.DataFrame) -> pl.DataFrame:
    """Undirected user pairs sharing (target, stance) pairs; weight = how many."""
    return _pairs(df, same=True)


def conflict_edges(df: pl.DataFrame) -> pl.DataFrame:
    """Undirected user pairs with opposite stances on a target; weight = targets."""
    return _pairs(df, same=False)


def build_networks(df: pl.DataFrame) -> Networks:
    """All four edge tables of an analysed comment table."""
    return Networks(
        reply=reply_edges(df),
        affiliation=affiliation_edges(df),
        congruence=congruence_edges(df),
        conflict=conflict_edges(df),
    )


def to_networkx(
    edges: pl.DataFrame, directed: bool = False, two_mode: bool = False
) -> nx.Graph | nx.DiGraph:
    """A networkx graph of an edge table (``source``, ``target`` + attribute columns).

    ``two_mode``: sources are users, targets are stance targets; nodes get ``kind`` and
    ``bipartite`` (0 users, 1 targets); target nodes are named ``target:<key>`` so a user
    called "china" cannot collide with the target. Parallel rows of a two-mode table
    (favor and against to the same target) become one edge per stance via MultiGraph.
    """
    if two_mode:
        graph: nx.Graph = nx.MultiGraph()
    else:
        graph = nx.DiGraph() if directed else nx.Graph()
    sources = sorted(set(edges["source"].to_list())) if edges.height else []
    targets = sorted(set(edges["target"].to_list())) if edges.height else []
    if two_mode:
        for s in sources:
            graph.add_node(s, kind="user", bipartite=0)
        for t in targets:
            graph.add_node(f"target:{t}", kind="target", bipartite=1, label=t)
    else:
        for n in sorted(set(sources) | set(targets)):
            graph.add_node(n, kind="user")
    attrs = [c for c in edges.columns if c not in ("source", "target")]
    for row in edges.sort("source", "target", *attrs).iter_rows(named=True):
        t = f"target:{row['target']}" if two_mode else row["target"]
        graph.add_edge(row["source"], t, **{a: row[a] for a in attrs if row[a] is not None})
    return graph


def write_graphml(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GraphML (deterministic: node/edge order as built)."""
    path = Path(path)
    nx.write_graphml(graph, path)
    return path


def write_gexf(graph: nx.Graph, path: str | Path) -> Path:
    """Write ``graph`` as GEXF 1.2 for Gephi, without networkx's date stamp (deterministic)."""
    path = Path(path)
    text = "\n".join(nx.generate_gexf(graph, version="1.2draft"))
    text = re.sub(r' lastmodifieddate="[^"]*"', "", text)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n", encoding="utf-8")
    return path


NETWORKS = {
    "reply": {"directed": True, "two_mode": False},
    "affiliation": {"directed": False, "two_mode": True},
    "congruence": {"directed": False, "two_mode": False},
    "conflict": {"directed": False, "two_mode": False},
}


def write_networks(nets: Networks, out_dir: str | Path) -> list[Path]:
    """Write every network as ``<name>_edges.csv``, ``<name>.graphml``, ``<name>.gexf``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, how in NETWORKS.items():
        edges: pl.DataFrame = getattr(nets, name)
        csv = out / f"{name}_edges.csv"
        edges.write_csv(csv)
        graph = to_networkx(edges, **how)
        written += [csv, write_graphml(graph, out / f"{name}.graphml")]
        written.append(write_gexf(graph, out / f"{name}.gexf"))
    return written
