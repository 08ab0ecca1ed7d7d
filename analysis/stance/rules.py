"""Target-aware stance toward each configured target (default: the US, China, Japan).

Sentiment is not stance: "China's far from perfect, but the alternative is a man child" is
negative in words and favourable to China. No zero-shot NLI model can be installed
offline, so this is a transparent rule method; each rule is a ``StanceConfig`` switch
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
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

from ..sentiment.vader import split_sentences
from .targets import Target, load_targets

DEFAULT_LEXICON = Path(__file__).parent / "resources" / "stance_lexicon.toml"
LABELS = ("favor", "against", "neutral", "none")

_WORD = re.compile(r"[\w'’-]+")
_QUOTE_OPEN = "\"“”'‘«「"
_HE = re.compile(r"(?i)(?<!\w)(?:he|him|his|himself)(?!\w)")
_IT_START = re.compile(r"(?i)^(?:it|its|they|their|the country|this country|that country)(?!\w)")
_GERUND_START = re.compile(r"^[A-Z][a-z]+ing(?!\w)")
_THEY = re.compile(r"(?i)(?<!\w)(?:they|them|their)(?!\w)")
_BOTH = re.compile(r"(?i)(?<!\w)(?:they both|both|neither side|each other)(?!\w)")


@dataclass(frozen=True)
class StanceConfig:
    """Stance scoring parameters; the ``use_*`` switches exist for ablation.

    targets_path / lexicon_path: TOML files (None: the bundled ones).
    threshold: |cue sum| needed for favor/against; below it a named target is neutral.
    vader_weight: weight of VADER compound on a single-target clause without cues (0: off;
        off by default because it did not help on the reference coding, docs/stance.md).
    """

    targets_path: str | None = None
    lexicon_path: str | None = None
    threshold: float = 0.5
    vader_weight: float = 0.0
    object_window: int = 5
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


@dataclass(frozen=True)
class Lexicon:
    """The cue lexicon, compiled (see resources/stance_lexicon.toml for the meaning)."""

    evaluative: tuple[tuple[str, float, re.Pattern[str]], ...]
    objects: tuple[tuple[str, float, re.Pattern[str]], ...]
    evaluative_seed: tuple[tuple[str, float, re.Pattern[str]], ...]
    objects_seed: tuple[tuple[str, float, re.Pattern[str]], ...]

    def cues(self, seed: bool) -> tuple[tuple, tuple]:
        """(evaluative, object) cues, longest first; ``seed``: include the seed-derived."""
        ev = self.evaluative + (self.evaluative_seed if seed else ())
        ob = self.objects + (self.objects_seed if seed else ())
        return (
            tuple(sorted(ev, key=lambda c: -len(c[0]))),
            tuple(sorted(ob, key=lambda c: -len(c[0]))),
        )

    hostility_weight: float
    hostility_after: re.Pattern[str]
    hostility_before: re.Pattern[str]
    hostility_words: re.Pattern[str]
    concession_weight: float
    concession: re.Pattern[str]
    comparative: re.Pattern[str]
    addressee: re.Pattern[str]
    negators: frozenset[str]
    negation_window: int
    contrast: re.Pattern[str]
    contrast_before_weight: float
    advice: re.Pattern[str]


def _phrase(entry: str) -> str:
    star = entry.endswith("*")
    words = entry.rstrip("*").split()
    body = r"[\s-]+".join(re.escape(w) for w in words)
    tail = r"[\w-]*" if star else ""
    return rf"(?<!\w){body}{tail}(?![\w])"


def _alternation(entries: Sequence[str]) -> re.Pattern[str]:
    if not entries:
        return re.compile(r"(?!x)x")
    ordered = sorted(entries, key=len, reverse=True)
    return re.compile("(?i)" + "|".join(_phrase(e) for e in ordered))


def _weighted(table: Mapping[str, float], where: str) -> tuple:
    out = []
    for cue, weight in table.items():
        if not isinstance(weight, int | float):
            raise ValueError(f"{where}: weight of {cue!r} must be a number")
        out.append((cue.lower(), float(weight), re.compile("(?i)" + _phrase(cue.lower()))))
    # Longest first, so "nothing good" is read before "good" can claim the span.
    return tuple(sorted(out, key=lambda c: -len(c[0])))


def _advice(section: Mapping) -> re.Pattern[str]:
    openers = "|".join(
        re.escape(o).replace(r"\ ", r"\s+")
        for o in sorted(section.get("openers", []), key=len, reverse=True)
    )
    skip = "|".join(re.escape(w) for w in section.get("skip", []))
    if not openers:
        return re.compile(r"(?!x)x")
    lead = rf"(?:(?:{skip})[\s,]+)*" if skip else ""
    return re.compile(rf"(?i)^{lead}(?:{openers})(?!\w)")


@cache
def load_lexicon(path: str | None = None) -> Lexicon:
    """The cue lexicon from TOML (default: the bundled one); ValueError when malformed."""
    p = Path(path) if path else DEFAULT_LEXICON
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"{p}: cannot read stance lexicon ({err})") from None
    try:
        host = data.get("hostility", {})
        conc = data.get("concession", {})
        neg = data.get("negation", {})
        contrast = data.get("contrast", {})
        after = "|".join(re.escape(w) for w in host.get("after", [])) or "(?!x)x"
        before = "|".join(re.escape(w) for w in host.get("before", [])) or "(?!x)x"
        return Lexicon(
            evaluative=_weighted(data.get("evaluative", {}), f"{p} [evaluative]"),
            objects=_weighted(data.get("object", {}), f"{p} [object]"),
            evaluative_seed=_weighted(data.get("evaluative_seed", {}), f"{p} [evaluative_seed]"),
            objects_seed=_weighted(data.get("object_seed", {}), f"{p} [object_seed]"),
            hostility_weight=float(host.get("weight", 1.0)),
            hostility_after=re.compile(rf"(?i)^[\s-]?(?:{after})(?!\w)"),
            hostility_before=re.compile(rf"(?i)(?:{before})$"),
            hostility_words=_alternation(host.get("words", [])),
            concession_weight=float(conc.get("weight", 1.0)),
            concession=_alternation(conc.get("cues", [])),
            comparative=_alternation(data.get("comparative", {}).get("markers", [])),
            addressee=_alternation(data.get("addressee", {}).get("modals", [])),
            negators=frozenset(w.lower() for w in neg.get("words", [])),
            negation_window=int(neg.get("window", 3)),
            contrast=_alternation(contrast.get("markers", [])),
            contrast_before_weight=float(contrast.get("before_weight", 0.5)),
            advice=_advice(data.get("implicit", {})),
        )
    except (TypeError, AttributeError, re.error) as err:
        raise ValueError(f"{p}: malformed stance lexicon ({err})") from None


# ---------------------------------------------------------------- quoted lines


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 0))}


def own_lines(text: str, earlier: Sequence[str] = (), article: str | None = None) -> list[str]:
    """The lines of ``text`` that are the commenter's own words.

    Dropped: a line in quotation marks (a line that opens with one loses the quoted part
    up to the closing mark; an unclosed opening quote drops the line); a line of five or
    more words of which 60 % of 4-word shingles occur in an earlier comment or the article
    (quotes pasted without marks).
    """
    sources = _shingles("\n".join([*earlier, article or ""]))
    kept = []
    for line in (text or "").split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in _QUOTE_OPEN:
            # A line opening with a quotation: keep only what follows the closing mark
            # ('"Japan-China Friendship" but following whose rules?' keeps the question).
            close = re.search(r"[\"“”'’»」](?=\s|$)", stripped[1:])
            stripped = stripped[close.end() + 1 :].strip(" .,") if close else ""
            if not stripped:
                continue
        sh = _shingles(stripped)
        overlap = len(sh & sources) / len(sh) if sh else 0.0
        if len(sh) >= 2 and overlap >= 0.6:
            continue
        kept.append(stripped)
    return kept


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
    sentence: str, targets: Sequence[Target], config: StanceConfig, state: dict
) -> list[_Mention]:
    """Target mentions in a sentence: names, then (``use_pronouns``) resolved references.

    he/him/his -> the last person alias named before (in this comment); a sentence opening
    with it/its/they/their/"the country" -> the first country named in the previous
    sentence (also "they/them/their" anywhere in a sentence that names no target);
    "they both"/"both"/"neither side"/"each other" -> every target of the previous sentence.
    """
    found: list[_Mention] = []
    for t in targets:
        pattern = t.pattern if config.use_references else _names_only(t)
        for m in pattern.finditer(sentence):
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


def _clauses(sentence: str, lex: Lexicon, config: StanceConfig) -> list[tuple[int, int, bool]]:
    """(start, end, followed_by_contrast) clause spans of a sentence."""
    if not config.clause_scope:
        return [(0, len(sentence), False)]
    cuts = [(m.start(), m.end()) for m in lex.contrast.finditer(sentence)]
    cuts += [(m.start(), m.end()) for m in re.finditer(r";|\s[-–—]\s", sentence)]
    cuts.sort()
    spans, start = [], 0
    for s, e in cuts:
        if s > start:
            spans.append((start, s, True))
        start = e
    spans.append((start, len(sentence), False))
    return [(s, e, c) for s, e, c in spans if sentence[s:e].strip()]


def _score_clause(
    sentence: str,
    span: tuple[int, int, bool],
    mentions: list[_Mention],
    lex: Lexicon,
    config: StanceConfig,
    tallies: dict[str, _Tally],
) -> None:
    c0, c1, before_contrast = span
    clause = sentence[c0:c1]
    evaluative, objects = lex.cues(config.use_seed_cues)
    here = [m for m in mentions if c0 <= m.start < c1]
    if not here:
        return
    weight = lex.contrast_before_weight if (before_contrast and config.use_contrast_weight) else 1.0
    local = [_Mention(m.target, m.start - c0, m.end - c0, m.text, m.person) for m in here]

    compared: dict[int, tuple[int, int]] = {}  # mention index -> comparative span
    markers: dict[int, str] = {}
    if config.use_comparatives:
        for cm in lex.comparative.finditer(clause):
            after = [i for i, m in enumerate(local) if m.start >= cm.end()]
            if after and _words_between(clause, cm.end(), local[after[0]].start) <= 3:
                # The compared phrase: the mention and at most 3 more words ("unlike
                # America's warmongering nature"), up to punctuation.
                tail = re.match(r"(?:[\s’']*\w[\w’'-]*){0,3}", clause[local[after[0]].end :])
                stop = local[after[0]].end + (tail.end() if tail else 0)
                compared[after[0]] = (cm.start(), stop)
                markers[after[0]] = cm.group(0).lower()
    addressed: set[int] = set()
    if config.use_addressee:
        for i, m in enumerate(local):
            nxt = lex.addressee.search(clause, m.end)
            if nxt and _words_between(clause, m.end, nxt.start()) <= 1:
                addressed.add(i)

    def credit(i: int, value: float, kind: str, cue: str) -> None:
        m = local[i]
        tallies[m.target].add(value * weight, f"{kind}:{cue}@{m.text.lower()}")

    victims: set[int] = set()
    for _cue, w, pat in evaluative:
        if w < 0:
            for em in pat.finditer(clause):
                victims |= {
                    j
                    for j, m in enumerate(local)
                    if m.start >= em.end() and _words_between(clause, em.end(), m.start) <= 1
                }
    covered: list[tuple[int, int]] = []
    free_polarity = 0.0
    if config.use_concession and before_contrast:
        for cc in lex.concession.finditer(clause):
            covered.append(cc.span())
            cand = [i for i in range(len(local)) if i not in compared]
            if cand:
                i = min(cand, key=lambda j: abs(local[j].start - cc.start()))
                # Weighted by 1/weight so the clause-before-"but" halving does not apply.
                credit(i, lex.concession_weight / weight, "concession", cc.group(0).lower())
    if config.use_object_cues:
        for _cue, w, pat in objects:
            for om in pat.finditer(clause):
                if any(s <= om.start() < e for s, e in covered):
                    continue
                obj = [i for i, m in enumerate(local) if m.start >= om.end()]
                if obj and _words_between(clause, om.end(), local[obj[0]].start) <= (
                    config.object_window
                ):
                    negated = _negated(clause, om.start(), lex, om.group(0))
                    sign = -1.0 if config.use_negation and negated else 1.0
                    credit(obj[0], sign * w, "object", om.group(0).lower())
                    covered.append(om.span())
    for _cue, w, pat in evaluative:
        for em in pat.finditer(clause):
            if any(s <= em.start() < e or s < em.end() <= e for s, e in covered):
                continue
            covered.append(em.span())
            sign = (
                -1.0
                if config.use_negation and _negated(clause, em.start(), lex, em.group(0))
                else 1.0
            )
            value = sign * w
            inside = [i for i, (s, e) in compared.items() if s <= em.start() < e]
            if inside:
                credit(inside[0], value, "cue", em.group(0).lower())
                continue
            cand = [i for i in range(len(local)) if i not in compared and i not in addressed]
            if not cand:
                free_polarity += value
                continue
            agent = re.match(r"\s+by\s+", clause[em.end() :])
            after_by = [i for i in cand if agent and local[i].start == em.end() + agent.end()]
            # The patient of a negative cue ("violates Japan's waters") is not blamed for
            # it, nor for the other misdeeds listed in the clause.
            patient = (victims & set(cand)) if value < 0 else set()
            if not after_by and patient and len(patient) < len(cand):
                cand = [j for j in cand if j not in patient]
            if after_by:
                i = after_by[0]
            else:
                # Nearest mention; one after the cue counts 1.5x as far (subject preference).
                def dist(j: int, pos: int = em.start()) -> float:
                    d = _words_between(clause, local[j].start, pos)
                    return d * 1.5 + 0.5 if local[j].start > pos else d

                i = min(cand, key=dist)
            # "They both act as bad as each other": every target at that span is credited.
            for j in [k for k in cand if local[k].start == local[i].start]:
                credit(j, value, "cue", em.group(0).lower())
            free_polarity += value
    for i, (s, _e) in compared.items():
        outside = free_polarity - sum(
            w
            * (
                -1.0
                if config.use_negation and _negated(clause, em.start(), lex, em.group(0))
                else 1.0
            )
            for _c, w, pat in evaluative
            for em in pat.finditer(clause)
            if s <= em.start() < _e
        )
        if outside:
            credit(i, -outside, "comparative", markers[i])
    if config.vader_weight and not covered:
        cand = {local[i].target for i in range(len(local)) if i not in addressed}
        if len(cand) == 1:
            from ..sentiment.vader import score_text

            compound = score_text(clause)["compound"]
            i = next(j for j in range(len(local)) if j not in addressed)
            credit(i, config.vader_weight * compound, "vader", f"{compound:+.2f}")


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
    config: StanceConfig,
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
            mentions = _mentions(sentence, targets, config, state)
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
            for span in _clauses(sentence, lex, config):
                _score_clause(sentence, span, mentions, lex, config, tallies)
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


def stance_columns(targets: Sequence[Target]) -> list[str]:
    """The columns add_stance adds, in order."""
    return [
        c
        for t in targets
        for c in (f"stance_{t.key}", f"stance_{t.key}_score", f"stance_{t.key}_evidence")
    ]


def add_stance(
    df: pl.DataFrame,
    config: StanceConfig | None = None,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """``df`` plus stance_<key> (favor/against/neutral/none), stance_<key>_score (-1..1,
    positive = favour) and stance_<key>_evidence for every configured target.

    articles: thread_id -> article text (e.g. ``Corpus.articles()``), so that article
    sentences pasted without quotation marks are not read as the commenter's words.
    Each row is scored from its own text (and its thread's article) only, so the stage
    can run in batches.
    """
    config = config or StanceConfig()
    targets = load_targets(config.targets_path)
    articles = articles or {}
    threads = df["thread_id"].to_list() if "thread_id" in df.columns else [None] * df.height
    results = [
        score_comment(text or "", targets, config, (), articles.get(thread or ""))
        for thread, text in zip(threads, df["text"].to_list(), strict=True)
    ]
    cols = []
    for t in targets:
        cols.append(pl.Series(f"stance_{t.key}", [r[t.key][0] for r in results], pl.String))
        cols.append(pl.Series(f"stance_{t.key}_score", [r[t.key][1] for r in results], pl.Float64))
        cols.append(
            pl.Series(f"stance_{t.key}_evidence", [r[t.key][2] for r in results], pl.String)
        )
    return df.with_columns(cols)
