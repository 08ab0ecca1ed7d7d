"""Rule-based stance: cues, scoping, references, quotes, and targets from TOML."""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from readerscope.analysis.columns import STANCE_LABELS as LABELS
from readerscope.analysis.columns import stance_columns_for
from readerscope.analysis.context import StageContext
from readerscope.analysis.stance import StanceConfig, add_stance
from readerscope.analysis.stance.own_words import own_lines
from readerscope.analysis.stance.rules import RuleConfig
from readerscope.analysis.stance.targets import load_targets
from readerscope.comments import read_thread


@cache
def seed():
    return read_thread()


# The rules with the cues read off the sample thread: these tests check the mechanisms
# (scope, negation, references) on sentences like the seed's, so they use them.
RULES = StanceConfig(method="rules", rules=RuleConfig(use_seed_cues=True))


def stance(text: str, config: StanceConfig | None = None) -> dict[str, str]:
    df = pl.DataFrame({"comment_id": ["x"], "text": [text]})
    out = add_stance(df, config or RULES)
    return {t.key: out[f"stance_{t.key}"][0] for t in load_targets()}


def test_sentiment_is_not_stance():
    # Negative words, favourable to China; the "man child" is Trump.
    s = stance("China's far from perfect, but the alternative is a man child.")
    assert s["china"] == "favor"
    assert s["us"] == "against"


@pytest.mark.parametrize(
    ("text", "key", "label"),
    [
        ("stop relying on the US go trade with Canada", "us", "against"),
        ("Better meet with Xi and discuss how to counter MAGA.", "china", "favor"),
        ("Better meet with Xi and discuss how to counter MAGA.", "us", "against"),
        ("Never, ever trust the CCP.", "china", "against"),
        ("The country simply cannot be trusted.", "china", "none"),  # no antecedent
        ("China lies. The country simply cannot be trusted.", "china", "against"),
        ("Trump said so. He is a con-man.", "us", "against"),
        ("China is predictable, not like the USA.", "us", "against"),
        ("China is predictable, not like the USA.", "china", "favor"),
        ("Gotta love the China haters :)", "china", "favor"),
        ("Japan should take any easy wins on offer.", "japan", "neutral"),  # advice
        ("Let us talk about tariffs with them.", "us", "none"),  # 'us' is a pronoun
        ("Japan and China held talks on Friday.", "china", "neutral"),
        ("Ishiba is not trustworthy.", "japan", "against"),
    ],
)
def test_cues(text, key, label):
    assert stance(text)[key] == label


def test_each_rule_can_be_switched_off():
    text = "China's far from perfect, but the alternative is a man child."
    assert (
        stance(
            text,
            StanceConfig(
                method="rules", rules=RuleConfig(use_seed_cues=True, use_concession=False)
            ),
        )["china"]
        != "favor"
    )
    assert (
        stance(
            "Trump said so. He is a con-man.",
            StanceConfig(method="rules", rules=RuleConfig(use_seed_cues=True, use_pronouns=False)),
        )["us"]
        == "neutral"
    )
    assert (
        stance(
            "Stop relying on the US.",
            StanceConfig(
                method="rules", rules=RuleConfig(use_seed_cues=True, use_object_cues=False)
            ),
        )["us"]
        == "neutral"
    )
    # Negation flips a cue; off, "not trustworthy" reads as praise.
    assert (
        stance(
            "Ishiba is not trustworthy.",
            StanceConfig(method="rules", rules=RuleConfig(use_seed_cues=True, use_negation=False)),
        )["japan"]
        == "favor"
    )


def test_quoted_lines_are_not_own_words():
    text = '"Japan should trust China completely."\nThe CCP lies, as always.'
    assert own_lines(text) == ["The CCP lies, as always."]
    # A quotation followed by the commenter's own reply keeps the reply.
    assert own_lines("\u201cJapan-China Friendship\u201d but following whose rules?") == [
        "but following whose rules?"
    ]
    # An article sentence pasted without quotation marks is dropped when the article is known.
    article = "There is a danger they might become more distant and closer to China, he said."
    pasted = "There is a danger they might become more distant and closer to China\nSad."
    assert own_lines(pasted, (), article) == ["Sad."]


def test_seed_columns_types_values_and_evidence():
    t = seed()
    out = add_stance(
        t.comments, RULES, context=StageContext(articles={t.thread_id: t.article_text})
    )
    targets = load_targets()
    assert [c for c in out.columns if c.startswith("stance_")] == stance_columns_for(
        t.key for t in targets
    )
    for target in targets:
        k = target.key
        assert out.schema[f"stance_{k}"] == pl.String
        assert out.schema[f"stance_{k}_score"] == pl.Float64
        assert out.schema[f"stance_{k}_evidence"] == pl.String
        assert set(out[f"stance_{k}"].unique()) <= set(LABELS)
        for label, score, evidence in out.select(
            f"stance_{k}", f"stance_{k}_score", f"stance_{k}_evidence"
        ).iter_rows():
            assert -1 <= score <= 1
            if label == "none":
                assert evidence is None and score == 0
            elif label == "favor":
                assert score > 0 and evidence
            elif label == "against":
                assert score < 0 and evidence
    # The deciding cue is readable: comment 10 calls Trump a con-man.
    row = out.filter(pl.col("position") == 10)
    assert row["stance_us"][0] == "against"
    assert row["stance_us_evidence"][0].startswith("cue:")
    # Input columns are untouched.
    assert out.select(t.comments.columns).equals(t.comments)


def test_rows_are_independent_so_batches_give_the_same_result():
    t = seed()
    whole = add_stance(t.comments, RULES)
    halves = pl.concat([add_stance(t.comments[:17], RULES), add_stance(t.comments[17:], RULES)])
    assert whole.equals(halves)
    assert whole.equals(add_stance(t.comments, RULES))  # deterministic


FOURTH_TARGET = """
[[target]]
key = "us"
name = "United States"
aliases = ["America", "Trump", "Washington"]
aliases_cased = ["US", "U.S."]
persons = ["Trump"]

[[target]]
key = "china"
name = "China"
aliases = ["China", "Chinese", "Beijing", "Xi", "CCP"]
persons = ["Xi"]

[[target]]
key = "japan"
name = "Japan"
aliases = ["Japan", "Japanese", "Tokyo", "Ishiba"]
persons = ["Ishiba"]

[[target]]
key = "south_korea"
name = "South Korea"
aliases = ["South Korea", "Korea", "Seoul", "Koreans", "Lee Jae-myung"]
persons = ["Lee Jae-myung"]
"""


def test_a_fourth_target_needs_only_the_toml_file(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(FOURTH_TARGET, encoding="utf-8")
    cfg = StanceConfig(method="rules", targets_path=str(path))
    df = pl.DataFrame(
        {
            "comment_id": ["a", "b", "c", "d"],
            "text": [
                "Seoul is a reliable partner. Japan should work with Seoul.",
                "Never trust Seoul, they betray everyone.",
                "South Korea held elections.",
                "The CCP lies.",
            ],
        }
    )
    out = add_stance(df, cfg)
    assert {"stance_south_korea", "stance_south_korea_score", "stance_south_korea_evidence"} <= (
        set(out.columns)
    )
    assert out["stance_south_korea"].to_list() == ["favor", "against", "neutral", "none"]
    assert out["stance_china"].to_list() == ["none", "none", "none", "against"]
    # The seed thread scores with the extra target too (no comment names Korea).
    seed_out = add_stance(seed().comments, cfg)
    assert set(seed_out["stance_south_korea"].unique()) == {"none"}


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("", "no [[target]]"),
        ('[[target]]\nkey = "Bad Key"\naliases = ["x"]', "key"),
        ('[[target]]\nkey = "eu"\n', "no aliases"),
        ('[[target]]\nkey = "eu"\naliases = "EU"', "list"),
        ('[[target]]\nkey = "eu"\naliases = ["EU"]\ncolour = "blue"', "unknown field"),
        (
            '[[target]]\nkey = "eu"\naliases = ["EU"]\n[[target]]\nkey = "eu"\naliases = ["x"]',
            "duplicate",
        ),
        ("[[target]\n", "not valid TOML"),
    ],
)
def test_bad_targets_file_is_a_clear_error(tmp_path, toml, problem):
    path = tmp_path / "t.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=problem.replace("[", r"\[")) as err:
        load_targets(path)
    assert str(path) in str(err.value)


def test_alias_matching_is_whole_word():
    us, china, japan = load_targets()
    assert china.mentions("I took a taxi") == []
    assert us.mentions("give us something") == []
    assert len(us.mentions("Japan-U.S. relations and the US")) == 2
    assert japan.mentions("Japan's") == [(0, 7)]


def test_bad_lexicon_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"nope\.toml"):
        stance(
            "China lies.",
            StanceConfig(
                method="rules", rules=RuleConfig(lexicon_path=str(tmp_path / "nope.toml"))
            ),
        )
    bad = tmp_path / "bad.toml"
    bad.write_text('[evaluative]\n"liar" = "very"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="weight of 'liar'"):
        stance(
            "China lies.",
            StanceConfig(
                method="rules", rules=RuleConfig(use_seed_cues=True, lexicon_path=str(bad))
            ),
        )
