"""Conversation structure from reply edges: per-comment tree position, per-user roles.

A reply to ``'article'`` and a comment with no reply target are both top-level
(depth 0, their own root): the article is the thread itself, not a comment. A
``reply_to`` that names no comment of the same thread (e.g. a dangling id in a given
table) is treated as top-level too, so every comment gets a row.
"""

from __future__ import annotations

import polars as pl

from ...comments.schema import ARTICLE
from ..columns import stance_column, stance_keys


def _parents(df: pl.DataFrame) -> dict[str, str | None]:
    """comment_id -> parent comment_id (None when top-level or the target is unknown)."""
    known = {(t, c) for t, c in df.select("thread_id", "comment_id").iter_rows()}
    out: dict[str, str | None] = {}
    for tid, cid, target in df.select("thread_id", "comment_id", "reply_to").iter_rows():
        ok = target is not None and target != ARTICLE and (tid, target) in known
        out[cid] = target if ok and target != cid else None
    return out


def conversation_table(df: pl.DataFrame) -> pl.DataFrame:
    """Per comment: depth, root_id, n_direct_replies, n_total_replies (all descendants).

    Rows follow ``df``'s order. A cycle in given reply_to values (impossible for inferred
    ones, which always point back in time) is broken at the comment that closes it.
    """
    parent = _parents(df)
    ids = df["comment_id"].to_list()
    depth: dict[str, int] = {}
    root: dict[str, str] = {}
    for cid in ids:
        chain = [cid]
        seen = {cid}
        while (p := parent.get(chain[-1])) is not None and p not in depth and p not in seen:
            chain.append(p)
            seen.add(p)
        last = chain[-1]
        p = parent.get(last)
        if p is not None and p in depth:
            d, r = depth[p] + 1, root[p]
        else:  # top-level, or a cycle closing on a comment in this chain
            if p is not None:
                parent[last] = None
            d, r = 0, last
        for node in reversed(chain):
            depth[node], root[node] = d, r
            d += 1
    children: dict[str, list[str]] = {cid: [] for cid in ids}
    for cid in ids:
        p = parent.get(cid)
        if p is not None:
            children[p].append(cid)
    total: dict[str, int] = {}
    for cid in sorted(ids, key=lambda c: -depth[c]):  # deepest first: children are done
        total[cid] = sum(1 + total[k] for k in children[cid])
    return pl.DataFrame(
        {
            "comment_id": ids,
            "depth": [depth[c] for c in ids],
            "root_id": [root[c] for c in ids],
            "n_direct_replies": [len(children[c]) for c in ids],
            "n_total_replies": [total[c] for c in ids],
        },
        schema={
            "comment_id": pl.String(),
            "depth": pl.Int32(),
            "root_id": pl.String(),
            "n_direct_replies": pl.Int32(),
            "n_total_replies": pl.Int32(),
        },
    )


def user_table(df: pl.DataFrame) -> pl.DataFrame:
    """Per user: comments, replies given/received, article replies, sentiment, stance shares.

    ``replies_given``: the user's comments that answer another comment (self-replies
    included); ``replies_received``: comments by *others* answering the user's comments.
    Stance: for each ``stance_<key>`` column and each label seen in it, the share of the
    user's comments with that label (``stance_us_favor`` ...), and ``stance_<key>_net`` =
    share favor - share against. Comments without a user form one row with user null.
    """
    parent = _parents(df)
    author = dict(zip(df["comment_id"].to_list(), df["user"].to_list(), strict=True))
    received: dict[str | None, int] = {}
    for cid, p in parent.items():
        if p is not None and author[p] != author[cid]:
            received[author[p]] = received.get(author[p], 0) + 1
    base = df.with_columns(
        pl.Series("_has_parent", [parent[c] is not None for c in df["comment_id"].to_list()]),
        (pl.col("reply_to") == ARTICLE).fill_null(False).alias("_to_article"),
    )
    aggs: list[pl.Expr] = [
        pl.len().cast(pl.Int32()).alias("comments"),
        pl.col("_has_parent").sum().cast(pl.Int32()).alias("replies_given"),
        pl.col("_to_article").sum().cast(pl.Int32()).alias("article_replies"),
    ]
    if "sentiment_compound" in df.columns:
        aggs.append(pl.col("sentiment_compound").mean().alias("mean_sentiment"))
    for col in map(stance_column, stance_keys(df)):
        labels = sorted(v for v in df[col].unique().to_list() if v is not None)
        for label in labels:
            aggs.append((pl.col(col) == label).mean().alias(f"{col}_{label}"))
        if {"favor", "against"} & set(labels):
            aggs.append(
                ((pl.col(col) == "favor").mean() - (pl.col(col) == "against").mean()).alias(
                    f"{col}_net"
                )
            )
    out = base.group_by("user").agg(aggs)
    out = out.with_columns(
        pl.col("user")
        .map_elements(lambda u: received.get(u, 0), return_dtype=pl.Int32())
        .alias("replies_received")
    )
    # map_elements skips nulls: the anonymous row gets its count explicitly.
    out = out.with_columns(
        pl.when(pl.col("user").is_null())
        .then(pl.lit(received.get(None, 0), dtype=pl.Int32()))
        .otherwise(pl.col("replies_received"))
        .alias("replies_received")
    )
    first = ["user", "comments", "replies_given", "replies_received", "article_replies"]
    return out.select(first + [c for c in out.columns if c not in first]).sort(
        ["comments", "user"], descending=[True, False], nulls_last=True
    )
