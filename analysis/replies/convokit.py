"""Write a thread table as a ConvoKit corpus directory (loadable with ``Corpus(filename=...)``).

The layout follows what ConvoKit 3.x/5.x itself dumps (checked against the convokit 5.0.0
source, ``convokit/model/corpus_helpers.py``; convokit is not installed here because it
pulls spaCy, datasets, h5py and more):

- ``utterances.jsonl``: one JSON object per line with ``id``, ``conversation_id``,
  ``text``, ``speaker``, ``meta``, ``reply-to`` (ConvoKit's own key; its loader also
  accepts ``reply_to``), ``timestamp`` and ``vectors``.
- ``speakers.json`` / ``conversations.json``: ``{id: {"meta": {...}, "vectors": []}}``.
- ``corpus.json``: corpus-level metadata.
- ``index.json``: metadata type index (``"<class 'str'>"`` ...), ``version``, ``vectors``.

ConvoKit expects one root utterance per conversation. Each thread therefore gets a root
utterance for the article (``id`` = thread_id, speaker ``[article]``) and every top-level
comment, or reply to the article, replies to it; ``meta.reply_to`` keeps readerscope's
own value (null or 'article'). Timestamps are the page positions (0 for the article):
the page shows times without a year, so the shown time stays in ``meta.posted_at``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from ...comments.schema import ARTICLE

ARTICLE_SPEAKER = "[article]"
ANONYMOUS_SPEAKER = "[anonymous]"
_CORE = {"thread_id", "comment_id", "user", "text", "reply_to", "position"}


def _clean(value: Any) -> Any:
    """JSON-safe value (NaN -> None; lists kept)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _type_name(values: list[Any]) -> list[str]:
    """ConvoKit's index entry: the Python type names seen (None adds nothing)."""
    return sorted({str(type(v)) for v in values if v is not None})


def utterances(
    df: pl.DataFrame,
    titles: Mapping[str, str] | None = None,
    articles: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """ConvoKit utterance records: one article root per thread, then its comments in order."""
    titles = titles or {}
    articles = articles or {}
    out: list[dict[str, Any]] = []
    meta_cols = [c for c in df.columns if c not in _CORE]
    for (tid,), part in df.group_by("thread_id", maintain_order=True):
        body = "\n".join(x for x in (titles.get(tid), articles.get(tid)) if x)
        out.append(
            {
                "id": tid,
                "conversation_id": tid,
                "text": body,
                "speaker": ARTICLE_SPEAKER,
                "meta": {"kind": "article", "title": titles.get(tid)},
                "reply-to": None,
                "timestamp": 0,
                "vectors": [],
            }
        )
        for row in part.sort("position").iter_rows(named=True):
            target = row["reply_to"]
            meta = {"kind": "comment", "position": row["position"], "reply_to": target}
            meta.update({c: _clean(row[c]) for c in meta_cols})
            out.append(
                {
                    "id": row["comment_id"],
                    "conversation_id": tid,
                    "text": row["text"],
                    "speaker": row["user"] if row["user"] is not None else ANONYMOUS_SPEAKER,
                    "meta": meta,
                    "reply-to": tid if target in (None, ARTICLE) else target,
                    "timestamp": int(row["position"]),
                    "vectors": [],
                }
            )
    return out


def write_convokit(
    df: pl.DataFrame,
    out_dir: str | Path,
    titles: Mapping[str, str] | None = None,
    articles: Mapping[str, str] | None = None,
    corpus_meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``df`` (an analysed comment table) as a ConvoKit corpus directory."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    utts = utterances(df, titles, articles)

    speakers: dict[str, dict[str, Any]] = {}
    for u in utts:
        speakers.setdefault(u["speaker"], {"meta": {}, "vectors": []})
    counts: dict[str, int] = {}
    for u in utts:
        counts[u["speaker"]] = counts.get(u["speaker"], 0) + 1
    for name, record in speakers.items():
        record["meta"]["n_utterances"] = counts[name]

    conversations: dict[str, dict[str, Any]] = {}
    for u in utts:
        if u["meta"]["kind"] == "article":
            conversations[u["id"]] = {
                "meta": {"title": u["meta"]["title"], "n_comments": 0},
                "vectors": [],
            }
        else:
            conversations[u["conversation_id"]]["meta"]["n_comments"] += 1

    corpus = {"source": "readerscope", **(corpus_meta or {})}

    def index(records: list[dict[str, Any]]) -> dict[str, list[str]]:
        keys = sorted({k for r in records for k in r})
        return {k: _type_name([r.get(k) for r in records]) for k in keys}

    idx = {
        "utterances-index": index([u["meta"] for u in utts]),
        "speakers-index": index([s["meta"] for s in speakers.values()]),
        "conversations-index": index([c["meta"] for c in conversations.values()]),
        "overall-index": index([corpus]),
        "version": 1,
        "vectors": [],
    }

    def dump(name: str, obj: Any) -> None:
        text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, default=str)
        (out / name).write_text(text + "\n", encoding="utf-8")

    with open(out / "utterances.jsonl", "w", encoding="utf-8") as fh:
        for u in utts:
            fh.write(json.dumps(u, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    dump("speakers.json", dict(sorted(speakers.items())))
    dump("conversations.json", dict(sorted(conversations.items())))
    dump("corpus.json", corpus)
    dump("index.json", idx)
    return out


def read_convokit_utterances(corpus_dir: str | Path) -> pl.DataFrame:
    """Utterances of a corpus directory as a table (id, speaker, conversation_id, reply_to,
    timestamp, text); a reader's check that the export round-trips without convokit."""
    rows = []
    with open(Path(corpus_dir) / "utterances.jsonl", encoding="utf-8") as fh:
        for line in fh:
            u = json.loads(line)
            rows.append(
                {
                    "id": u["id"],
                    "speaker": u["speaker"],
                    "conversation_id": u["conversation_id"],
                    "reply_to": u.get("reply-to", u.get("reply_to")),
                    "timestamp": u["timestamp"],
                    "text": u["text"],
                }
            )
    return pl.DataFrame(rows)
