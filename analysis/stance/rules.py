"""Target-aware stance toward each configured target (default: the US, China, Japan).

Sentiment is not stance: "China's far from perfect, but the alternative is a man child" is
negative in words and favourable to China. No zero-shot NLI model can be installed
offline, so this is a transparent rule method; each rule is a ``RuleConfig`` switch
so its contribution can be measured (docs/stance.md, ablation table):

1. own words only: lines that are quotations (a line in quotation marks, or one that
   reproduces an earlier comment or the article) are dropped;
2. clause scope: sentences split at contrast markers ("but", "while", ...); a cue counts
   for a target named in the same clause; the clause before "but" counts half;
3. references: targets by alias (``targets.toml``), epithets ("the little emperor"),
   "he/his/him" after a person alias, "it"/"the country" opening a sentence;
4. cue lexicon (``resources/stance_lexicon.toml``): evaluative words credited to the
   nearest target (the agent of "threatened by X"), verbs whose object is evaluated
   ("stop relying on X", "meet with X"), negation flips a cue;
5. structure: comparatives ("not like the USA") give the compared target the opposite
   polarity; a concession before "but" ("far from perfect, but") defends its target;
   hostility named next to a target ("China haters", "anti-Beijing hysteria") favours it;
   the addressee of advice ("Japan should ...") is not evaluated by the advice;
6. optionally, VADER on a clause with a single target and no cue (off by default: it
   did not help on the reference coding).

Per target the signed cue sum gives ``stance_<key>_score`` (tanh-squashed to -1..1),
the label (favor / against / neutral when named without a clear position / none when not
addressed) and ``stance_<key>_evidence`` (the deciding cue, e.g. ``cue:con-man@trump``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from ..checks import ConfigError, at_least, check_fields
from ..columns import evidence_column, score_column, stance_column
from ..context import StageContext
from ..text.sentences import split_sentences
from .lexicon import Lexicon, Words, cue_index, load_lexicon
from .own_words import own_lines
from .targets import Target

_WORD = re.compile(r"[\w'’-]+")
_HE = re.compile(r"(?i)(?<!\w)(?:he|him|his|himself)(?!\w)")
_IT_START = re.compile(r"(?i)^(?:it|its|they|their|the country|this country|that country)(?!\w)")
_GERUND_START = re.compile(r"^[A-Z][a-z]+ing(?!\w)")
_THEY = re.compile(r"(?i)(?<!\w)(?:they|them|their)(?!\w)")
_BOTH = re.compile(r"(?i)(?<!\w)(?:they both|both|neither side|each other)(?!\w)")


@dataclass(frozen=True)
class RuleConfig:
    """Parameters of the rule method; the ``use_*`` switches exist for ablation.

    lexicon_path: the cue lexicon TOML (None: the bundled one).
    threshold: |cue sum| needed for favor/against; below it a named target is neutral.
    vader_weight: weight of VADER compound on a single-target clause without cues (0: off;
        off by default because it did not help on the reference coding, docs/stance.md).
    use_seed_cues: also use the cues added while reading the sample thread (in-sample;
        see docs/stance.md).
    """

    lexicon_path: str | None = None
    threshold: float = field(default=0.5, metadata=at_least(0.0))
    vader_weight: float = field(default=0.0, metadata=at_least(0.0))
    object_window: int = field(default=5, metadata=at_least(0))
    exclude_quotes: bool = True
    clause_scope: bool = True
    use_references: bool = True
    use_pronouns: bool = True
    use_negation: bool = True
    use_object_cues: bool = True
    use_comparatives: bool = True
    use_concession: bool = True
    use_hostility: bool = True
    use_addressee: bool = True
    use_contrast_weight: bool = True
    use_implicit_addressee: bool = True
    use_seed_cues: bool = True
    use_cue_index: bool = True  # speed only: skip cues whose words are absent (same labels)

    def __post_init__(self) -> None:
        check_fields(self)
        try:
            load_lexicon(self.lexicon_path)
        except ValueError as err:
            raise ConfigError("lexicon_path", str(err)) from None


# ---------------------------------------------------------------- scoring


@dataclass
class _Mention:
    target: str
    start: int
    end: int
    text: str
    person: bool = False


@dataclass
class _Tally:
    score: float = 0.0
    named: bool = False
    first: str | None = None
    parts: list[tuple[float, str]] = field(default_factory=list)

    def add(self, value: float, evidence: str) -> None:
        if value:
            self.score += value
            self.parts.append((value, evidence))


def _words_between(text: str, a: int, b: int) -> int:
    lo, hi = (a, b) if a <= b else (b, a)
    return len(_WORD.findall(text[lo:hi]))


def _negated(clause: str, start: int, lex: Lexicon, cue: str = "") -> bool:
    """A negator within the window before the cue flips it; not when the cue holds its own
    negator ("not experts") or in a rhetorical question ("isn't his criminal history ...?")."""
    if any(w in lex.negators for w in cue.lower().replace("’", "'").split()):
        return False
    before = [w.lower().replace("’", "'") for w in _WORD.findall(clause[:start])]
    hits = [w for w in before[-lex.negation_window :] if w in lex.negators]
    if hits and clause.rstrip().endswith("?"):
        hits = [w for w in hits if not w.endswith("n't")]
    return bool(hits)


def _mentions(
    sentence: str,
    targets: Sequence[Target],
    config: RuleConfig,
    state: dict,
    words: Words | None = None,
) -> list[_Mention]:
    """Target mentions in a sentence: names, then (``use_pronouns``) resolved references.

    he/him/his -> the last person alias named before (in this comment); a sentence opening
    with it/its/they/their/"the country" -> the first country named in the previous
    sentence (also "they/them/their" anywhere in a sentence that names no target);
    "they both"/"both"/"neither side"/"each other" -> every target of the previous sentence.
    """
    found: list[_Mention] = []
    for t in targets:
        if words is not None and t.word_keys is not None and not words.any_of(t.word_keys):
            continue  # none of the words a name of this target begins with (speed only)
        if not config.use_references:
            matches = _names_only(t).finditer(sentence)
        else:
            matches = t.finditer(sentence) if config.use_cue_index else t.pattern.finditer(sentence)
        for m in matches:
            person = bool(t.person_pattern.fullmatch(m.group(0).rstrip("'’s")))
            found.append(_Mention(t.key, m.start(), m.end(), m.group(0), person))
    found.sort(key=lambda m: m.start)
    named = list(found)
    if config.use_pronouns:
        taken = [(m.start, m.end) for m in found]
        resolved: list[_Mention] = []
        last_person = state.get("person")
        pos = 0
        for he in _HE.finditer(sentence):
            for m in found:
                if m.person and pos <= m.start < he.start():
                    last_person = m.target
            pos = he.start()
            if last_person and not any(s <= he.start() < e for s, e in taken):
                resolved.append(_Mention(last_person, he.start(), he.end(), he.group(0)))
        prev_country = state.get("country")
        it = _IT_START.match(sentence)
        if it and prev_country:
            resolved.append(_Mention(prev_country, it.start(), it.end(), it.group(0)))
        elif prev_country and not named:
            for th in _THEY.finditer(sentence):
                resolved.append(_Mention(prev_country, th.start(), th.end(), th.group(0)))
        gerund = _GERUND_START.match(sentence)
        if gerund and prev_country and not (found and found[0].start < gerund.end()):
            # "Betraying all the Asian countries ...": the subject is the last one named.
            resolved.append(_Mention(prev_country, 0, 0, f"<{prev_country}>"))
        both = _BOTH.search(sentence)
        if both and not named:
            for key in state.get("all", ()):
                resolved.append(_Mention(key, both.start(), both.end(), both.group(0)))
        found = sorted(found + resolved, key=lambda m: m.start)
    persons = [m for m in named if m.person]
    if persons:
        state["person"] = persons[-1].target
    countries = [m for m in found if not m.person]
    state["country"] = countries[0].target if countries else None
    state["all"] = tuple(dict.fromkeys(m.target for m in found))
    return found


@cache
def _names_only_cached(aliases: tuple[str, ...], cased: tuple[str, ...]) -> re.Pattern[str]:
    return Target("x", "x", aliases=aliases, aliases_cased=cased).pattern


def _names_only(t: Target) -> re.Pattern[str]:
    return _names_only_cached(t.aliases, t.aliases_cased)


def _clauses(
    sentence: str, lex: Lexicon, config: RuleConfig, words: Words | None = None
) -> list[tuple[int, int, bool]]:
    """(start, end, followed_by_contrast) clause spans of a sentence."""
    if not config.clause_scope:
        return [(0, len(sentence), False)]
    cuts = [(m.start(), m.end()) for m in lex.contrast.finditer(sentence, words=words)]
    cuts += [(m.start(), m.end()) for m in re.finditer(r";|\s[-–—]\s", sentence)]
    cuts.sort()
    spans, start = [], 0
    for s, e in cuts:
        if s > start:
            spans.append((start, s, True))
        start = e
    spans.append((start, len(sentence), False))
    return [(s, e, c) for s, e, c in spans if sentence[s:e].strip()]


@dataclass
class _Clause:
    """One clause being scored: its text, the target mentions in it (clause offsets), and
    what the rules have claimed so far."""

    text: str
    local: list[_Mention]
    weight: float
    tallies: dict[str, _Tally]
    words: Words | None = None  # of the sentence holding the clause (a superset: safe)
    covered: list[tuple[int, int]] = field(default_factory=list)
    compared: dict[int, tuple[int, int]] = field(default_factory=dict)  # mention -> span
    markers: dict[int, str] = field(default_factory=dict)
    addressed: set[int] = field(default_factory=set)

    def credit(self, i: int, value: float, kind: str, cue: str) -> None:
        m = self.local[i]
        self.tallies[m.target].add(value * self.weight, f"{kind}:{cue}@{m.text.lower()}")


def _sign(clause: str, start: int, lex: Lexicon, cue: str, config: RuleConfig) -> float:
    """-1 when a negator flips the cue at ``start`` (and negation is on), else 1."""
    return -1.0 if config.use_negation and _negated(clause, start, lex, cue) else 1.0


def _comparatives(cl: _Clause, lex: Lexicon) -> None:
    """'not like the USA', 'unlike X': the compared phrase is the mention and at most 3
    more words, up to punctuation; it takes the polarity opposite to the clause."""
    for cm in lex.comparative.finditer(cl.text, words=cl.words):
        after = [i for i, m in enumerate(cl.local) if m.start >= cm.end()]
        if after and _words_between(cl.text, cm.end(), cl.local[after[0]].start) <= 3:
            tail = re.match(r"(?:[\s’']*\w[\w’'-]*){0,3}", cl.text[cl.local[after[0]].end :])
            stop = cl.local[after[0]].end + (tail.end() if tail else 0)
            cl.compared[after[0]] = (cm.start(), stop)
            cl.markers[after[0]] = cm.group(0).lower()


def _addressees(cl: _Clause, lex: Lexicon) -> None:
    """'Japan should ...': the addressee of advice is not evaluated by it."""
    for i, m in enumerate(cl.local):
        nxt = lex.addressee.search(cl.text, m.end, words=cl.words)
        if nxt and _words_between(cl.text, m.end, nxt.start()) <= 1:
            cl.addressed.add(i)


def _victims(cl: _Clause, evaluative: tuple) -> set[int]:
    """Mentions right after a negative cue ('violates Japan's waters'): its patients."""
    victims: set[int] = set()
    for _cue, w, pat in evaluative:
        if w < 0:
            for em in pat.finditer(cl.text):
                victims |= {
                    j
                    for j, m in enumerate(cl.local)
                    if m.start >= em.end() and _words_between(cl.text, em.end(), m.start) <= 1
                }
    return victims


def _concessions(cl: _Clause, lex: Lexicon) -> None:
    """'far from perfect, but': a concession before a contrast defends the nearest target
    (weighted by 1/weight, so the clause-before-'but' halving does not apply)."""
    for cc in lex.concession.finditer(cl.text, words=cl.words):
        cl.covered.append(cc.span())
        cand = [i for i in range(len(cl.local)) if i not in cl.compared]
        if cand:
            i = min(cand, key=lambda j: abs(cl.local[j].start - cc.start()))
            cl.credit(i, lex.concession_weight / cl.weight, "concession", cc.group(0).lower())


def _object_cues(cl: _Clause, objects: tuple, lex: Lexicon, config: RuleConfig) -> None:
    """Verbs whose object is evaluated ('stop relying on X'): credit the next mention."""
    for _cue, w, pat in objects:
        for om in pat.finditer(cl.text):
            if any(s <= om.start() < e for s, e in cl.covered):
                continue
            obj = [i for i, m in enumerate(cl.local) if m.start >= om.end()]
            if obj and _words_between(cl.text, om.end(), cl.local[obj[0]].start) <= (
                config.object_window
            ):
                sign = _sign(cl.text, om.start(), lex, om.group(0), config)
                cl.credit(obj[0], sign * w, "object", om.group(0).lower())
                cl.covered.append(om.span())


def _holder(cl: _Clause, em: re.Match, cand: list[int], value: float, victims: set[int]) -> int:
    """The mention an evaluative cue is credited to: the agent of 'threatened by X', else
    the nearest (one after the cue counts 1.5x as far: subject preference), never the
    patient of a negative cue when another mention is there."""
    agent = re.match(r"\s+by\s+", cl.text[em.end() :])
    after_by = [i for i in cand if agent and cl.local[i].start == em.end() + agent.end()]
    if after_by:
        return after_by[0]
    patient = (victims & set(cand)) if value < 0 else set()
    if patient and len(patient) < len(cand):
        cand = [j for j in cand if j not in patient]

    def dist(j: int, pos: int = em.start()) -> float:
        d = _words_between(cl.text, cl.local[j].start, pos)
        return d * 1.5 + 0.5 if cl.local[j].start > pos else d

    return min(cand, key=dist)


def _evaluative_cues(
    cl: _Clause, evaluative: tuple, victims: set[int], lex: Lexicon, config: RuleConfig
) -> float:
    """Credit each evaluative cue to its holder; return the clause's free polarity (the
    sum of every cue outside a compared phrase, for the comparative rule)."""
    free_polarity = 0.0
    for _cue, w, pat in evaluative:
        for em in pat.finditer(cl.text):
            if any(s <= em.start() < e or s < em.end() <= e for s, e in cl.covered):
                continue
            cl.covered.append(em.span())
            value = _sign(cl.text, em.start(), lex, em.group(0), config) * w
            inside = [i for i, (s, e) in cl.compared.items() if s <= em.start() < e]
            if inside:
                cl.credit(inside[0], value, "cue", em.group(0).lower())
                continue
            cand = [
                i for i in range(len(cl.local)) if i not in cl.compared and i not in cl.addressed
            ]
            if not cand:
                free_polarity += value
                continue
            i = _holder(cl, em, cand, value, victims)
            # "They both act as bad as each other": every target at that span is credited.
            for j in [k for k in cand if cl.local[k].start == cl.local[i].start]:
                cl.credit(j, value, "cue", em.group(0).lower())
            free_polarity += value
    return free_polarity


def _comparative_credit(
    cl: _Clause, evaluative: tuple, free_polarity: float, lex: Lexicon, config: RuleConfig
) -> None:
    """A compared target gets the opposite of the polarity outside its phrase."""
    for i, (s, e) in cl.compared.items():
        outside = free_polarity - sum(
            w * _sign(cl.text, em.start(), lex, em.group(0), config)
            for _c, w, pat in evaluative
            for em in pat.finditer(cl.text)
            if s <= em.start() < e
        )
        if outside:
            cl.credit(i, -outside, "comparative", cl.markers[i])


def _vader_fallback(cl: _Clause, config: RuleConfig) -> None:
    """Optional: VADER compound for a single-target clause that no cue covered."""
    cand = {cl.local[i].target for i in range(len(cl.local)) if i not in cl.addressed}
    if len(cand) == 1:
        from ..sentiment.vader import score_text

        compound = score_text(cl.text)["compound"]
        i = next(j for j in range(len(cl.local)) if j not in cl.addressed)
        cl.credit(i, config.vader_weight * compound, "vader", f"{compound:+.2f}")


def _score_clause(
    sentence: str,
    span: tuple[int, int, bool],
    mentions: list[_Mention],
    lex: Lexicon,
    config: RuleConfig,
    tallies: dict[str, _Tally],
    words: Words | None = None,
) -> None:
    """Apply every rule to one clause of ``sentence``, crediting ``tallies``."""
    c0, c1, before_contrast = span
    here = [m for m in mentions if c0 <= m.start < c1]
    if not here:
        return
    index = cue_index(config.lexicon_path, config.use_seed_cues)
    evaluative, objects = index.present(words) if words is not None else index.cues
    weight = lex.contrast_before_weight if (before_contrast and config.use_contrast_weight) else 1.0
    local = [_Mention(m.target, m.start - c0, m.end - c0, m.text, m.person) for m in here]
    cl = _Clause(sentence[c0:c1], local, weight, tallies, words)
    if config.use_comparatives:
        _comparatives(cl, lex)
    if config.use_addressee:
        _addressees(cl, lex)
    victims = _victims(cl, evaluative)
    if config.use_concession and before_contrast:
        _concessions(cl, lex)
    if config.use_object_cues:
        _object_cues(cl, objects, lex, config)
    free_polarity = _evaluative_cues(cl, evaluative, victims, lex, config)
    _comparative_credit(cl, evaluative, free_polarity, lex, config)
    if config.vader_weight and not cl.covered:
        _vader_fallback(cl, config)


def _hostility(sentence: str, mentions: list[_Mention], lex: Lexicon, tallies) -> None:
    """Hostility named next to a target favours it ("China haters"); whoever the hostility
    comes from ("sinophobia from jpn side", "hysteria ... led by the United States") is
    held against."""
    for m in mentions:
        after = lex.hostility_after.match(sentence[m.end :])
        before = lex.hostility_before.search(sentence[: m.start])
        word = lex.hostility_words.search(m.text)
        hit = after or before or word
        if not hit:
            continue
        cue = hit.group(0).strip(" -").lower()
        tallies[m.target].add(lex.hostility_weight, f"hostility:{cue}@{m.text.lower()}")
        end = m.end + (after.end() if after else 0)
        for other in mentions:
            if other.target == m.target or other.start < end:
                continue
            gap = sentence[end : other.start]
            if len(_WORD.findall(gap)) <= 6 and re.search(r"(?i)\b(?:from|by)\s+(?:the\s+)?$", gap):
                tallies[other.target].add(
                    -lex.hostility_weight, f"hostility-holder:{cue}@{other.text.lower()}"
                )
                break


def score_comment(
    text: str,
    targets: Sequence[Target],
    config: RuleConfig,
    earlier: Sequence[str] = (),
    article: str | None = None,
) -> dict[str, tuple[str, float, str | None]]:
    """target key -> (label, score in -1..1, evidence) for one comment's text."""
    lex = load_lexicon(config.lexicon_path)
    lines = own_lines(text, earlier, article) if config.exclude_quotes else text.split("\n")
    tallies = {t.key: _Tally() for t in targets}
    state: dict = {}
    implicit = next((t.key for t in targets if t.implicit_addressee), None)
    if not config.use_implicit_addressee:
        implicit = None
    for line in lines:
        for sentence in split_sentences(line):
            words = Words.of(sentence) if config.use_cue_index else None
            mentions = _mentions(sentence, targets, config, state, words)
            if implicit and lex.advice.match(sentence):
                # Unnamed addressee of advice: addressed, and (advice being neutral) not
                # evaluated by the sentence's cues.
                tallies[implicit].named = True
                tallies[implicit].first = tallies[implicit].first or f"<{implicit}>"
            for m in mentions:
                tally = tallies[m.target]
                tally.named = True
                tally.first = tally.first or m.text.lower()
            if config.use_hostility:
                _hostility(sentence, mentions, lex, tallies)
            for span in _clauses(sentence, lex, config, words):
                _score_clause(sentence, span, mentions, lex, config, tallies, words)
    out: dict[str, tuple[str, float, str | None]] = {}
    for key, tally in tallies.items():
        if not tally.named:
            out[key] = ("none", 0.0, None)
            continue
        raw = tally.score
        label = (
            "favor"
            if raw >= config.threshold
            else "against"
            if raw <= -config.threshold
            else "neutral"
        )
        if label == "neutral":
            evidence = f"mention@{tally.first}"
        else:
            same = [p for p in tally.parts if (p[0] > 0) == (raw > 0)]
            evidence = max(same, key=lambda p: abs(p[0]))[1]
        out[key] = (label, round(math.tanh(raw / 2.0), 4), evidence)
    return out


def add_rule_stance(
    df: pl.DataFrame,
    config: RuleConfig,
    *,
    targets: Sequence[Target],
    context: StageContext | None = None,
) -> pl.DataFrame:
    """``df`` plus stance_<key> (favor/against/neutral/none), stance_<key>_score (-1..1,
    positive = favour) and stance_<key>_evidence for every target, by the rules.

    The context's articles let the rules ignore article sentences pasted without
    quotation marks. Each row is scored from its own text (and its thread's article)
    only, so the stage can run in batches.
    """
    context = context or StageContext()
    threads = df["thread_id"].to_list() if "thread_id" in df.columns else [None] * df.height
    results = [
        score_comment(text or "", targets, config, (), context.article(thread))
        for thread, text in zip(threads, df["text"].to_list(), strict=True)
    ]
    cols = []
    for t in targets:
        cols.append(pl.Series(stance_column(t.key), [r[t.key][0] for r in results], pl.String))
        cols.append(pl.Series(score_column(t.key), [r[t.key][1] for r in results], pl.Float64))
        cols.append(pl.Series(evidence_column(t.key), [r[t.key][2] for r in results], pl.String))
    return df.with_columns(cols)
