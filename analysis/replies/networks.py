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

Congruence and conflict link every pair of users on the same side of a target, so
unbounded they grow as users squared (3,001 users: 4.1 million congruence edges, a
774 MB GEXF). By default each user keeps its ``top_k`` strongest edges
(:class:`NetworkConfig`); the bound and the number of edges it dropped travel with the
networks (:attr:`Networks.bound`) for the run's manifest. Edges are computed with
polars over chunks of users (a cross join of per-user bit masks when most users hold
most positions, a join on shared positions otherwise), so memory grows with the edges
kept, not with the pairs considered; time still grows with the pairs considered.

Graphs are exported with networkx (GraphML, GEXF for Gephi) with nodes and edges in
sorted order, so the same table gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import networkx as nx
import polars as pl

from ...comments.schema import ARTICLE
from ..checks import at_least, check_fields, choices
from ..columns import AGAINST, FAVOR, STANCE_PREFIX, stance_column, stance_keys

SIGN = {FAVOR: 1, AGAINST: -1}
TIE_BREAKS = ("hash", "name")


@dataclass(frozen=True)
class NetworkConfig:
    """Size bound of the congruence and conflict networks (recorded in the manifest).

    top_k: every user keeps its ``top_k`` strongest edges (by weight); an edge stays
        when it is among the top k of either end, so a network has at most
        ``top_k x users`` edges. None keeps every edge (grows as users squared).
    min_shared: least weight of an edge: shared (target, stance) pairs for
        congruence, clashing targets for conflict.
    tie_break: how edges of equal weight are ranked for ``top_k``: 'hash' (a stable
        hash of the two names: a deterministic, name-independent pick, so users early
        in the alphabet do not become hubs) or 'name' (alphabetical).
    chunk_rows: most joined (user, user) rows held at once; memory only, the edges do
        not depend on it.
    """

    top_k: int | None = field(default=10, metadata=at_least(1))
    min_shared: int = field(default=1, metadata=at_least(1))
    tie_break: str = field(default="hash", metadata=choices(*TIE_BREAKS))
    chunk_rows: int = field(default=2_000_000, metadata=at_least(1))

    def __post_init__(self) -> None:
        check_fields(self)

    def to_dict(self) -> dict[str, object]:
        """Plain data for a manifest."""
        return asdict(self)


@dataclass(frozen=True)
class Networks:
    """The four edge tables of one analysis, with the bound applied to two of them.

    ``unbounded`` holds the number of congruence / conflict edges before ``top_k``
    (after ``min_shared``), so a reader can see how much the bound dropped.
    """

    reply: pl.DataFrame
    affiliation: pl.DataFrame
    congruence: pl.DataFrame
    conflict: pl.DataFrame
    config: NetworkConfig = field(default_factory=NetworkConfig)
    unbounded: dict[str, int] = field(default_factory=dict)

    @property
    def bound(self) -> dict[str, object]:
        """The size bound and what it kept, for the manifest."""
        kept = {"congruence": self.congruence.height, "conflict": self.conflict.height}
        return {
            **self.config.to_dict(),
            "edges": kept,
            "edges_before_top_k": {k: self.unbounded.get(k, v) for k, v in kept.items()},
        }


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


_EDGE_SCHEMA = {
    "source": pl.String(),
    "target": pl.String(),
    "weight": pl.Int64(),
    "targets": pl.String(),
}


def _name_hash(name: str) -> int:
    """A stable 63-bit hash of a user name (Python's hash() changes per process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest()) >> 1


def _keyed_positions(pos: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Positions keyed for joins: (uid, key, opposite, target, stance), and the users.

    ``uid`` follows name order, so ``uid_a < uid_b`` is the old ``source < target``;
    ``key`` numbers a (target, stance) pair and ``opposite`` the same target's other stance.
    """
    names = sorted(pos["user"].unique().to_list())
    users = pl.DataFrame(
        {"user": names, "uid": range(len(names)), "h": [_name_hash(u) for u in names]},
        schema={"user": pl.String(), "uid": pl.Int64(), "h": pl.Int64()},
    )
    targets = sorted(pos["target"].unique().to_list())
    tid = {t: k for k, t in enumerate(targets)}
    keyed = pos.join(users, on="user").with_columns(
        pl.col("target").replace_strict(tid, return_dtype=pl.Int64()).alias("tid"),
        (pl.col("stance") == "favor").cast(pl.Int64()).alias("fav"),
    )
    keyed = keyed.select(
        "uid",
        (pl.col("tid") * 2 + pl.col("fav")).alias("key"),
        (pl.col("tid") * 2 + 1 - pl.col("fav")).alias("opposite"),
        "target",
        "stance",
    )
    return keyed, users


def _chunks(keyed: pl.DataFrame, right_on: str, rows: int) -> list[tuple[int, int]]:
    """uid ranges whose join with every position stays near ``rows`` rows."""
    sizes = keyed.group_by("key").agg(pl.len().alias("n"))
    per_user = (
        keyed.join(sizes, left_on=right_on, right_on="key", how="left")
        .group_by("uid")
        .agg(pl.col("n").fill_null(0).sum())
        .sort("uid")
    )
    out: list[tuple[int, int]] = []
    start, acc = 0, 0
    for uid, n in per_user.iter_rows():
        if acc and acc + n > rows:
            out.append((start, uid))
            start, acc = uid, 0
        acc += n
    if per_user.height:
        out.append((start, int(per_user["uid"].max()) + 1))
    return out


def _weights(left: pl.DataFrame, keyed: pl.DataFrame, same: bool) -> pl.DataFrame:
    """(uid, other, weight) for users in ``left`` against every other user."""
    right = keyed.select(pl.col("uid").alias("other"), "key", "target")
    joined = left.join(
        right, left_on="key" if same else "opposite", right_on="key", how="inner", suffix="_r"
    ).filter(pl.col("uid") != pl.col("other"))
    # Congruence: one row per shared (target, stance); conflict: count each target once
    # (a user holding both stances on a target clashes with both sides only once).
    weight = pl.len() if same else pl.col("target").n_unique()
    return joined.group_by("uid", "other").agg(weight.cast(pl.Int64()).alias("weight"))


_MAX_MASK_TARGETS = 31  # two bits per target in an Int64 mask


def _masks(keyed: pl.DataFrame, users: pl.DataFrame) -> pl.DataFrame:
    """Per user: ``mask``, bit ``2 * target + (stance == favor)`` set for each position."""
    bits = keyed.group_by("uid").agg(
        pl.lit(2, dtype=pl.Int64()).pow(pl.col("key")).sum().alias("mask")
    )
    return users.join(bits, on="uid", how="left").sort("uid")


def _shared(same: bool, mine: pl.Expr, theirs: pl.Expr) -> pl.Expr:
    """Bits of what two users share: (target, stance) pairs, or clashing targets (even bit)."""
    if same:
        return mine & theirs
    even = int("01" * _MAX_MASK_TARGETS, 2)
    flipped = (theirs & even) * 2 | (theirs // 2) & even  # favor <-> against
    clash = mine & flipped
    return (clash | clash // 2) & even


def _mask_weights(left: pl.DataFrame, masks: pl.DataFrame, same: bool) -> pl.DataFrame:
    """(uid, other, weight) by bit counts over a cross join: for dense positions (every
    user on most sides) this reads users x users rows instead of sum(side size ** 2)."""
    right = masks.select(pl.col("uid").alias("other"), pl.col("mask").alias("m_other"))
    return (
        left.select("uid", "mask")
        .join(right, how="cross")
        .filter(pl.col("uid") != pl.col("other"))
        .select(
            "uid",
            "other",
            _shared(same, pl.col("mask"), pl.col("m_other"))
            .bitwise_count_ones()
            .cast(pl.Int64())
            .alias("weight"),
        )
    )


def _use_masks(keyed: pl.DataFrame, n_users: int, same: bool) -> bool:
    """Cross join of bit masks when it reads fewer rows than the join on positions."""
    if keyed["key"].max() >= 2 * _MAX_MASK_TARGETS:
        return False
    sizes = dict(keyed.group_by("key").agg(pl.len()).iter_rows())
    joined = sum(n * sizes.get(k if same else k ^ 1, 0) for k, n in sizes.items())
    return n_users * n_users <= joined


def _top(w: pl.DataFrame, users: pl.DataFrame, cfg: NetworkConfig) -> pl.DataFrame:
    """Each user's ``top_k`` strongest partners as (min uid, max uid) pairs."""
    by = [(-pl.col("weight")).alias("strength")]
    if cfg.tie_break == "hash":
        hashes = users.select(pl.col("uid").alias("other"), pl.col("h").alias("h_other"))
        w = w.join(users.select("uid", "h"), on="uid").join(hashes, on="other")
        by.append(pl.col("h") ^ pl.col("h_other"))
    top = w.group_by("uid").agg(pl.col("other").bottom_k_by([*by, "other"], cfg.top_k))
    return top.explode("other").select(
        pl.min_horizontal("uid", "other").alias("uid"),
        pl.max_horizontal("uid", "other").alias("other"),
    )


def _kept_pairs(
    keyed: pl.DataFrame, users: pl.DataFrame, same: bool, cfg: NetworkConfig
) -> tuple[pl.DataFrame, int]:
    """(uid_a < uid_b) pairs within the bound, and the number of pairs before ``top_k``."""
    masks = _masks(keyed, users) if _use_masks(keyed, users.height, same) else None
    if masks is not None:
        step = max(1, cfg.chunk_rows // max(1, users.height))
        ranges = [(lo, lo + step) for lo in range(0, users.height, step)]
    else:
        ranges = _chunks(keyed, "key" if same else "opposite", cfg.chunk_rows)
    kept: list[pl.DataFrame] = []
    directed = 0
    for lo, hi in ranges:
        if masks is not None:
            w = _mask_weights(masks.slice(lo, hi - lo), masks, same)
        else:
            left = keyed.filter(pl.col("uid").is_between(lo, hi, closed="left"))
            w = _weights(left, keyed, same)
        w = w.filter(pl.col("weight") >= cfg.min_shared)
        directed += w.height
        if cfg.top_k is None:
            kept.append(w.filter(pl.col("uid") < pl.col("other")).select("uid", "other"))
        else:
            kept.append(_top(w, users, cfg))
    schema = {"uid": pl.Int64(), "other": pl.Int64()}
    pairs = pl.concat(kept) if kept else pl.DataFrame(schema=schema)
    return pairs.unique().sort("uid", "other"), directed // 2


def _labels_by_join(pairs: pl.DataFrame, keyed: pl.DataFrame, same: bool) -> pl.DataFrame:
    """(uid, other, weight, targets) of kept pairs, from their positions."""
    a = keyed.select("uid", "key", "opposite", "target", "stance")
    b = keyed.select(pl.col("uid").alias("other"), "key")
    rows = pairs.join(a, on="uid").join(
        b, left_on=["other", "key" if same else "opposite"], right_on=["other", "key"]
    )
    if same:
        rows = rows.sort("uid", "other", "target", "stance").with_columns(
            (pl.col("target") + ":" + pl.col("stance")).alias("label")
        )
    else:
        rows = rows.select("uid", "other", pl.col("target").alias("label")).unique()
        rows = rows.sort("uid", "other", "label")
    return rows.group_by("uid", "other", maintain_order=True).agg(
        pl.len().cast(pl.Int64()).alias("weight"), pl.col("label").str.join(",").alias("targets")
    )


def _labels_by_mask(
    pairs: pl.DataFrame, keyed: pl.DataFrame, users: pl.DataFrame, same: bool
) -> pl.DataFrame:
    """The same from the two users' bit masks: each distinct shared mask is spelled once."""
    masks = _masks(keyed, users)
    rows = pairs.join(masks.select("uid", "mask"), on="uid").join(
        masks.select(pl.col("uid").alias("other"), pl.col("mask").alias("m_other")), on="other"
    )
    rows = rows.select("uid", "other", _shared(same, pl.col("mask"), pl.col("m_other")).alias("s"))
    names = dict(
        keyed.select("key", "target", "stance")
        .unique()
        .select("key", pl.concat_str("target", pl.lit(":"), "stance"))
        .iter_rows()
    )
    targets = dict(keyed.select((pl.col("key") // 2) * 2, "target").unique().iter_rows())
    spelled = {}
    for value in rows["s"].unique().to_list():
        bits = [k for k in range(2 * _MAX_MASK_TARGETS) if value >> k & 1]
        spelled[value] = ",".join(names[k] if same else targets[k] for k in bits)
    return rows.select(
        "uid",
        "other",
        pl.col("s").bitwise_count_ones().cast(pl.Int64()).alias("weight"),
        pl.col("s").replace_strict(spelled, return_dtype=pl.String()).alias("targets"),
    )


def _pairs(
    df: pl.DataFrame, same: bool, config: NetworkConfig | None = None
) -> tuple[pl.DataFrame, int]:
    """Congruence (``same``) or conflict edges within the bound, and the count before it."""
    cfg = config or NetworkConfig()
    pos = _positions(df)
    if not pos.height:
        return pl.DataFrame(schema=_EDGE_SCHEMA), 0
    keyed, users = _keyed_positions(pos)
    pairs, unbounded = _kept_pairs(keyed, users, same, cfg)
    if not pairs.height:
        return pl.DataFrame(schema=_EDGE_SCHEMA), unbounded
    if keyed["key"].max() < 2 * _MAX_MASK_TARGETS:
        edges = _labels_by_mask(pairs, keyed, users, same)
    else:
        edges = _labels_by_join(pairs, keyed, same)
    names = users.select("uid", "user")
    edges = (
        edges.join(names, on="uid")
        .rename({"user": "source"})
        .join(names.rename({"uid": "other"}), on="other")
        .rename({"user": "target"})
        .sort("source", "target")
        .select(list(_EDGE_SCHEMA))
    )
    return edges.cast(_EDGE_SCHEMA), unbounded


def congruence_edges(df: pl.DataFrame, config: NetworkConfig | None = None) -> pl.DataFrame:
    """Undirected user pairs sharing (target, stance) pairs; weight = how many."""
    return _pairs(df, same=True, config=config)[0]


def conflict_edges(df: pl.DataFrame, config: NetworkConfig | None = None) -> pl.DataFrame:
    """Undirected user pairs with opposite stances on a target; weight = targets."""
    return _pairs(df, same=False, config=config)[0]


def build_networks(df: pl.DataFrame, config: NetworkConfig | None = None) -> Networks:
    """All four edge tables of an analysed comment table; ``config`` bounds two of them."""
    cfg = config or NetworkConfig()
    congruence, n_congruence = _pairs(df, same=True, config=cfg)
    conflict, n_conflict = _pairs(df, same=False, config=cfg)
    return Networks(
        reply=reply_edges(df),
        affiliation=affiliation_edges(df),
        congruence=congruence,
        conflict=conflict,
        config=cfg,
        unbounded={"congruence": n_congruence, "conflict": n_conflict},
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
