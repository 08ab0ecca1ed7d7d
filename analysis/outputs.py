"""Write an AnalysisResult: the comment table and its companion tables beside it."""

from __future__ import annotations

import json
from pathlib import Path

from ..comments import Corpus, write_table
from .config import config_to_dict
from .pipeline import AnalysisResult
from .replies.conversation import conversation_table, user_table
from .replies.convokit import write_convokit
from .replies.networks import build_networks, write_networks
from .topics.model import topics_by_stance


def write_result(result: AnalysisResult, out: str | Path) -> list[Path]:
    """Write ``out`` (comment table) and, beside it, ``<stem>_<table>.<ext>`` companions.

    Returns every path written, the comment table first.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stem, ext = out.stem, out.suffix
    written = [write_table(result.comments, out)]
    tables = {
        "threads": result.threads,
        "sentences": result.sentences,
        "conversation": conversation_table(result.comments),
        "users": user_table(result.comments),
    }
    if result.topics.height:
        tables["topics"] = result.topics
        tables["topics_by_stance"] = topics_by_stance(result.comments)
    for name, table in tables.items():
        written.append(write_table(table, out.parent / f"{stem}_{name}{ext}"))
    written += write_networks(build_networks(result.comments), out.parent / f"{stem}_networks")
    corpus = Corpus(result.comments, result.threads)
    write_convokit(
        result.comments,
        out.parent / f"{stem}_convokit",
        titles=corpus.titles(),
        articles=corpus.articles(),
    )
    manifest = out.parent / f"{stem}_manifest.json"
    manifest.write_text(
        json.dumps({"config": config_to_dict(result.config)}, indent=2, sort_keys=True, default=str)
        + "\n"
    )
    written.append(manifest)
    return written
