"""ConvoKit export: the on-disk layout ConvoKit's loader reads (convokit is not installed
here, so the structure is checked field by field against what its loader expects)."""

from __future__ import annotations

import json

from readerscope.analysis.replies.convokit import (
    ARTICLE_SPEAKER,
    read_convokit_utterances,
    write_convokit,
)
from reply_tables import hand_table

UTTERANCE_KEYS = {
    "id",
    "conversation_id",
    "text",
    "speaker",
    "meta",
    "reply-to",
    "timestamp",
    "vectors",
}


def test_corpus_directory_layout(tmp_path) -> None:
    df = hand_table()
    out = write_convokit(
        df, tmp_path / "corpus", titles={"t": "A headline"}, articles={"t": "Body."}
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "conversations.json",
        "corpus.json",
        "index.json",
        "speakers.json",
        "utterances.jsonl",
    ]
    utts = [json.loads(line) for line in (out / "utterances.jsonl").read_text().splitlines()]
    assert len(utts) == df.height + 1  # one article root per thread
    assert all(set(u) == UTTERANCE_KEYS for u in utts)
    ids = {u["id"] for u in utts}
    roots = [u for u in utts if u["reply-to"] is None]
    assert [r["id"] for r in roots] == ["t"] and roots[0]["speaker"] == ARTICLE_SPEAKER
    assert roots[0]["text"] == "A headline\nBody."
    assert all(u["reply-to"] in ids for u in utts if u["reply-to"] is not None)
    by_id = {u["id"]: u for u in utts}
    assert by_id["c2"]["reply-to"] == "c1"
    assert by_id["c5"]["reply-to"] == "t" and by_id["c5"]["meta"]["reply_to"] == "article"
    assert by_id["c1"]["meta"]["reply_to"] is None
    assert by_id["c5"]["speaker"] == "[anonymous]"
    assert by_id["c1"]["meta"]["stance_us"] == "favor"  # analysis columns travel as meta
    speakers = json.loads((out / "speakers.json").read_text())
    assert {u["speaker"] for u in utts} == set(speakers)
    assert all(set(s) == {"meta", "vectors"} for s in speakers.values())
    assert speakers["ann"]["meta"]["n_utterances"] == 2
    convos = json.loads((out / "conversations.json").read_text())
    assert convos == {
        "t": {"meta": {"title": "A headline", "n_comments": df.height}, "vectors": []}
    }
    index = json.loads((out / "index.json").read_text())
    assert index["utterances-index"]["position"] == ["<class 'int'>"]
    assert index["utterances-index"]["sentiment_compound"] == ["<class 'float'>"]
    assert {"speakers-index", "conversations-index", "overall-index", "version"} <= set(index)


def test_export_is_deterministic_and_round_trips(tmp_path) -> None:
    df = hand_table()
    a = write_convokit(df, tmp_path / "a")
    b = write_convokit(df, tmp_path / "b")
    for name in ("utterances.jsonl", "speakers.json", "conversations.json", "index.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    back = read_convokit_utterances(a)
    comments = back.filter(back["speaker"] != ARTICLE_SPEAKER)
    assert comments["id"].to_list() == df["comment_id"].to_list()
    assert comments["text"].to_list() == df["text"].to_list()
    assert comments["timestamp"].to_list() == df["position"].to_list()
