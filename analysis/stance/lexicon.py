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
    except ValueError as err:  # a weight or window that is not a number
        problem = str(err).removeprefix(f"{p} ")
        raise ValueError(f"{p}: malformed stance lexicon ({problem})") from None
