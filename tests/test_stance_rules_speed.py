"""The rule method's shortcuts (cue index, word-based skips, look-behind outside the engine)
change its speed only: the labels, scores and evidence are the same as a full scan."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from readerscope.analysis.stance.lexicon import Words, load_lexicon
from readerscope.analysis.stance.rules import RuleConfig, add_rule_stance
from readerscope.analysis.stance.targets import load_targets
from readerscope.comments import read_thread

CORPUS = Path(__file__).parents[1] / "benchmarks" / "stance_corpus"
ODD = [
    "İstanbul and the US; ıt's the KELVIN Kk ſo what, Americans' and America’s tariffs",
    "anti-Beijing hysteria, pro-Japan—sinophobia; the U.S.A. and U.S. (US) vs us",
    "taxi Xi-Jinping XI xi's Chinas ChinaChina china-japan JAPANESE Nippon-ese",
    "not-so-great Trump’s con-man MAGA-hat 'Japan'; “China” is #1? Lies,lies,lies!",
]


def _texts() -> list[str]:
    texts = read_thread().comments["text"].to_list() + ODD
    for group in sorted(CORPUS.iterdir()):
        if (group / "items.jsonl").exists():
            lines = (group / "items.jsonl").read_text(encoding="utf-8").splitlines()
            texts += list(dict.fromkeys(json.loads(x)["text"] for x in lines))[:150]
    rng = random.Random(0)
    words = " ".join(texts).split()
    texts += [" ".join(rng.sample(words, 25)) for _ in range(200)]  # words out of order
    return texts


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    texts = _texts()
    return pl.DataFrame({"thread_id": [f"t{i}" for i in range(len(texts))], "text": texts})


@pytest.mark.parametrize("group", [None, "countries", "persons", "organisations", "policies"])
def test_same_result_as_a_full_scan(frame, group):
    targets = load_targets(CORPUS / group / "targets.toml" if group else None)
    fast = add_rule_stance(frame, RuleConfig(), targets=targets)
    full = add_rule_stance(frame, RuleConfig(use_cue_index=False), targets=targets)
    assert fast.equals(full)
    assert (fast[f"stance_{targets[0].key}"] != "none").sum() > 0  # the check saw mentions


def test_target_finditer_is_the_pattern(frame):
    for group in [None, "countries", "persons"]:
        for t in load_targets(CORPUS / group / "targets.toml" if group else None):
            for text in frame["text"].to_list()[:400]:
                assert [m.span() for m in t.finditer(text)] == [
                    m.span() for m in t.pattern.finditer(text)
                ]


def test_phrases_skip_only_texts_that_cannot_match(frame):
    lex = load_lexicon()
    for phrases in (lex.contrast, lex.comparative, lex.concession, lex.addressee):
        for text in frame["text"].to_list():
            got = [m.span() for m in phrases.finditer(text, words=Words.of(text))]
            assert got == [m.span() for m in phrases.pattern.finditer(text)]
