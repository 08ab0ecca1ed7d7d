"""Validate a writer's folder: JSON lines, labels, styles, targets defined, duplicates."""

import collections
import json
import sys
import tomllib
from pathlib import Path

LABELS = {"favor", "against", "neutral", "none"}
STYLES = {"news_comment", "tweet", "reddit_reply", "forum_post", "letter"}
PHEN = set(
    [
        "plain",
        "sarcasm",
        "scare_quotes",
        "rhetorical_question",
        "hashtag",
        "negation",
        "comparison",
        "implied_target",
        "quoting_opponent",
        "event_word",
        "concession",
        "mixed",
        "slang_typos",
        "advice",
        "reported_speech",
        "emotional",
    ]
)
BANNED = [
    "united states",
    "america",
    " usa",
    "china",
    "chinese",
    "japan",
    "trump",
    "biden",
    "sanders",
    "clinton",
    "kamala",
    "harris",
]

folder = Path(sys.argv[1])
targets = (
    {t["key"] for t in tomllib.loads((folder / "targets.toml").read_text())["target"]}
    if (folder / "targets.toml").exists()
    else set()
)
rows, problems = [], []
texts = {}
for n, line in enumerate((folder / "items.jsonl").read_text().splitlines(), 1):
    if not line.strip():
        continue
    try:
        r = json.loads(line)
    except json.JSONDecodeError as e:
        problems.append(f"line {n}: bad JSON {e}")
        continue
    for k in ("id", "text_id", "text", "target", "label", "style", "phenomena"):
        if k not in r:
            problems.append(f"line {n}: missing {k}")
    if r.get("label") not in LABELS:
        problems.append(f"line {n}: label {r.get('label')!r}")
    if r.get("style") not in STYLES:
        problems.append(f"line {n}: style {r.get('style')!r}")
    bad = set(r.get("phenomena", [])) - PHEN
    if bad:
        problems.append(f"line {n}: unknown phenomena {bad}")
    if targets and r.get("target") not in targets:
        problems.append(f"line {n}: target {r.get('target')!r} not in targets.toml")
    low = " " + r.get("text", "").lower()
    for b in BANNED:
        if b in low:
            problems.append(f"line {n}: banned word {b.strip()!r}")
    if r.get("text_id") in texts and texts[r["text_id"]] != r.get("text"):
        problems.append(f"line {n}: text_id {r['text_id']} has two different texts")
    texts[r.get("text_id")] = r.get("text")
    rows.append(r)
ids = collections.Counter(r["id"] for r in rows)
problems += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
pairs = collections.Counter((r["text_id"], r["target"]) for r in rows)
problems += [f"duplicate (text_id, target) {p}" for p, c in pairs.items() if c > 1]
dup_text = collections.Counter(texts.values())
problems += [f"same text under two text_ids: {t[:60]!r}" for t, c in dup_text.items() if c > 1]
print(f"{len(rows)} lines, {len(texts)} texts, {len({r['target'] for r in rows})} targets")
for key in ("label", "style"):
    c = collections.Counter(r[key] for r in rows)
    print(key, dict(c.most_common()))
c = collections.Counter(p for r in rows for p in r["phenomena"])
print("phenomena", dict(c.most_common()))
c = collections.Counter(r["target"] for r in rows)
print("per target", dict(c.most_common()))
print(f"{len(problems)} problems")
for p in problems[:40]:
    print("  ", p)
