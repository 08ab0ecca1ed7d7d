"""The stance cue lexicon (``resources/stance_lexicon.toml``), compiled once per path.

The lexicon is data, not code: a researcher can copy the TOML, reweight or add cues, and
pass its path as ``[stance] lexicon_path``. See the TOML's comments for each section.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_LEXICON = Path(__file__).parent / "resources" / "stance_lexicon.toml"


_WORD_RUN = re.compile(r"\w+")
_FOLD = str.maketrans({"\u0131": "i", "\u017f": "s"})
"""The two characters that ``(?i)`` matches to an ASCII letter but ``str.lower`` keeps
(dotless i, long s); the other two (dotted I, Kelvin sign) lower-case to their letter."""


def _key(cue: str) -> tuple[str | None, bool]:
    """(the first word run every match of ``cue`` must contain, whether that run is a
    whole token of the text or may be a token's prefix). None: no usable key."""
    words = cue.rstrip("*").split()
    run = _WORD_RUN.match(words[0]) if words else None  # the cue must begin with a word
    if run is None or not run.group(0).isascii():
        return None, False
    prefix = cue.endswith("*") and len(words) == 1 and run.end() == len(words[0])
    return run.group(0), prefix


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
    hostility_words: Phrases
    concession_weight: float
    concession: Phrases
    comparative: Phrases
    addressee: Phrases
    negators: frozenset[str]
    negation_window: int
    contrast: Phrases
    contrast_before_weight: float
    advice: re.Pattern[str]


def _phrase(entry: str) -> str:
    star = entry.endswith("*")
    words = entry.rstrip("*").split()
    body = r"[\s-]+".join(re.escape(w) for w in words)
    tail = r"[\w-]*" if star else ""
    return rf"(?<!\w){body}{tail}(?![\w])"


@dataclass(frozen=True)
class Words:
    """The words of a sentence, as the cue shortcuts need them (computed once a sentence).

    ``words``: its lower-case word runs, folded as ``(?i)`` matching folds them;
    ``lowered``: the folded text, for cues that may end a longer word (``corrupt*``).
    """

    words: frozenset[str]
    lowered: str

    @classmethod
    def of(cls, text: str) -> Words:
        lowered = text.lower().translate(_FOLD)
        return cls(frozenset(_WORD_RUN.findall(lowered)), lowered)

    def any_of(self, keys: frozenset[str], prefixes: tuple[str, ...] = ()) -> bool:
        """Whether one of ``keys`` is a word here (or one of ``prefixes`` occurs)."""
        return not keys.isdisjoint(self.words) or any(p in self.lowered for p in prefixes)


@dataclass(frozen=True)
class Phrases:
    """An alternation of lexicon phrases (longest first), skipped where none can match.

    A phrase can match only where its first word run is a word of the text (or, for a
    one-word ``phrase*``, part of one), so a text without any of those words is not
    scanned; otherwise the one compiled pattern runs as before: the same matches.
    """

    pattern: re.Pattern[str]
    keys: frozenset[str] | None  # None: some phrase has no usable first word: always scan
    prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, entries: Sequence[str]) -> Phrases:
        if not entries:
            return cls(re.compile(r"(?!x)x"), frozenset())
        ordered = sorted(entries, key=len, reverse=True)
        pattern = re.compile("(?i)" + "|".join(_phrase(e) for e in ordered))
        keys = [_key(e.lower()) for e in entries]
        if any(k is None for k, _ in keys):
            return cls(pattern, None)
        words = frozenset(k for k, prefix in keys if not prefix)
        return cls(pattern, words, tuple(k for k, prefix in keys if prefix))

    def possible(self, words: Words | None) -> bool:
        """False only when no phrase can match a text with these words."""
        return words is None or self.keys is None or words.any_of(self.keys, self.prefixes)

    def finditer(self, text: str, pos: int = 0, *, words: Words | None = None):
        """``pattern.finditer(text, pos)``; ``words`` (of ``text`` or a text holding it)
        lets a text that cannot match skip the scan."""
        return self.pattern.finditer(text, pos) if self.possible(words) else iter(())

    def search(self, text: str, pos: int = 0, *, words: Words | None = None):
        """``pattern.search(text, pos)``, with the same shortcut."""
        return self.pattern.search(text, pos) if self.possible(words) else None


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
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise ValueError(f"{p}: cannot read stance lexicon ({why})") from None
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
            hostility_words=Phrases.of(host.get("words", [])),
            concession_weight=float(conc.get("weight", 1.0)),
            concession=Phrases.of(conc.get("cues", [])),
            comparative=Phrases.of(data.get("comparative", {}).get("markers", [])),
            addressee=Phrases.of(data.get("addressee", {}).get("modals", [])),
            negators=frozenset(w.lower() for w in neg.get("words", [])),
            negation_window=int(neg.get("window", 3)),
            contrast=Phrases.of(contrast.get("markers", [])),
            contrast_before_weight=float(contrast.get("before_weight", 0.5)),
            advice=_advice(data.get("implicit", {})),
        )
    except (TypeError, AttributeError, re.error) as err:
        raise ValueError(f"{p}: malformed stance lexicon ({err})") from None
    except ValueError as err:  # a weight or window that is not a number
        problem = str(err).removeprefix(f"{p} ")
        raise ValueError(f"{p}: malformed stance lexicon ({problem})") from None


@dataclass(frozen=True)
class _Keys:
    """Where to look up one cue list: by whole word, by word prefix, or always."""

    by_word: dict[str, tuple[int, ...]]
    by_prefix: tuple[tuple[str, int], ...]
    always: tuple[int, ...]

    @classmethod
    def of(cls, cues: tuple) -> _Keys:
        by_word: dict[str, list[int]] = {}
        by_prefix, always = [], []
        for i, cue in enumerate(cues):
            key, prefix = _key(cue[0])
            if key is None:
                always.append(i)
            elif prefix:
                by_prefix.append((key, i))
            else:
                by_word.setdefault(key, []).append(i)
        return cls({k: tuple(v) for k, v in by_word.items()}, tuple(by_prefix), tuple(always))

    def select(self, cues: tuple, words: Words) -> tuple:
        hit = set(self.always)
        for w in words.words:
            hit.update(self.by_word.get(w, ()))
        hit.update(i for key, i in self.by_prefix if key in words.lowered)
        return tuple(cues[i] for i in sorted(hit))


@dataclass(frozen=True)
class CueIndex:
    """Which cues can match a text, found in one pass over its words.

    Why: the rules tried every cue of the lexicon on every clause (about 115 regex scans
    a clause), while a clause holds a handful of cues. A cue can match only where its
    first word run occurs as a word of the text (or, for a one-word ``cue*``, as a prefix
    of one), so the other cues are skipped without a scan. The cues kept are the same
    compiled patterns in the same order, so the labels are identical (tested).
    """

    evaluative: tuple[tuple[str, float, re.Pattern[str]], ...]
    objects: tuple[tuple[str, float, re.Pattern[str]], ...]
    keys: tuple[_Keys, _Keys]

    @property
    def cues(self) -> tuple[tuple, tuple]:
        """Every (evaluative, object) cue, in lexicon order (no skipping)."""
        return self.evaluative, self.objects

    @classmethod
    def build(cls, lexicon: Lexicon, seed: bool) -> CueIndex:
        ev, ob = lexicon.cues(seed)
        return cls(ev, ob, (_Keys.of(ev), _Keys.of(ob)))

    def present(self, words: Words) -> tuple[tuple, tuple]:
        """(evaluative, object) cues that may match a text with these words, in order."""
        return (
            self.keys[0].select(self.evaluative, words),
            self.keys[1].select(self.objects, words),
        )


@cache
def cue_index(path: str | None, seed: bool) -> CueIndex:
    """The cue index of the lexicon at ``path`` (None: the bundled one), built once."""
    return CueIndex.build(load_lexicon(path), seed)
