"""Stance targets (countries, blocs, leaders) read from a TOML file, not hard-coded.

A researcher adds "South Korea" or "the EU" by adding a ``[[target]]`` block to a copy
of ``resources/targets.toml`` and passing its path; every stance column follows the
target's ``key``. Matching is whole-word, so "Xi" never fires inside "taxi" and "US"
(case-sensitive) never fires on the pronoun "us".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

DEFAULT_TARGETS = Path(__file__).parent / "resources" / "targets.toml"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD_RUN = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")


def _alias_pattern(alias: str, *, start: str = r"(?<!\w)") -> str:
    # Word boundaries that also work for aliases ending in '.', e.g. "U.S.";
    # allows plural and possessive endings ("Americans", "China's", "Trump’s").
    body = r"\s+".join(re.escape(w) for w in alias.split())
    end = r"(?:'s|’s|s)?(?![\w])" if alias[-1].isalnum() else r"(?!\w)"
    return f"{start}{body}{end}"


def _names_pattern(loose: list[str], cased: tuple[str, ...], start: str) -> re.Pattern[str]:
    parts = []
    if loose:
        # Longest first so "Xi Jinping" wins over "Xi".
        alts = "|".join(
            _alias_pattern(a, start=start) for a in sorted(loose, key=len, reverse=True)
        )
        parts.append(f"(?i:{alts})")
    if cased:
        alts = "|".join(
            _alias_pattern(a, start=start) for a in sorted(cased, key=len, reverse=True)
        )
        parts.append(f"(?:{alts})")
    return re.compile("|".join(parts) if parts else r"(?!x)x")


@dataclass(frozen=True)
class Target:
    """One stance target.

    key: column suffix (stance_<key>); name: label for tables and coding sheets;
    aliases: case-insensitive names; aliases_cased: exact-case names (e.g. "US");
    persons: aliases that are people (antecedents of he/his/him);
    references: indirect names (epithets) that mean the target.
    implicit_addressee: advice with no named subject ("Better find other ways", "stop
        relying on the US") is read as addressed to this target -- the country the
        outlet's readers advise by default (Japan for Japan Today); at most one target.
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    aliases_cased: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    references: tuple[str, ...] = field(default=())
    implicit_addressee: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Regex for any name of this target (whole words, longest name first)."""
        return _names_pattern([*self.aliases, *self.references], self.aliases_cased, r"(?<!\w)")

    @cached_property
    def _unanchored(self) -> re.Pattern[str]:
        # The same alternation without the leading look-behind: a pattern that starts
        # with literals lets the regex engine skip to candidate characters.
        return _names_pattern([*self.aliases, *self.references], self.aliases_cased, "")

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``, several times faster: the look-behind is checked
        here, and a match refused by it resumes one character later, as the engine would."""
        pattern, pos = self._unanchored, 0
        while (m := pattern.search(text, pos)) is not None:
            start = m.start()
            if start and _WORD_CHAR.match(text, start - 1):
                pos = start + 1
                continue
            yield m
            pos = max(m.end(), start + 1)

    @cached_property
    def person_pattern(self) -> re.Pattern[str]:
        """Regex for the person aliases only (antecedents for he/his/him)."""
        if not self.persons:
            return re.compile(r"(?!x)x")
        alts = "|".join(_alias_pattern(a) for a in sorted(self.persons, key=len, reverse=True))
        return re.compile(f"(?i:{alts})")

    @cached_property
    def word_keys(self) -> frozenset[str] | None:
        """Lower-case words one of which every mention contains as a word of the text
        (None when some name has no such word, e.g. a non-ASCII name): lets a sentence
        that holds none of them skip the name pattern."""
        keys: set[str] = set()
        for name in (*self.aliases, *self.references, *self.aliases_cased):
            runs = _WORD_RUN.findall(name.lower())
            if not runs or not runs[0].isascii() or not _WORD_RUN.match(name):
                return None  # a name must begin with its first word for the shortcut
            keys.add(runs[0])
            if len(runs) == 1 and name[-1].isalnum():
                keys.add(runs[0] + "s")  # the pattern allows a plural: 'Americans'
        return frozenset(keys)

    def mentions(self, text: str) -> list[tuple[int, int]]:
        """(start, end) spans of every name of this target in ``text``."""
        return [m.span() for m in self.pattern.finditer(text)]


def _strings(block: dict, name: str, where: str) -> tuple[str, ...]:
    value = block.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: '{name}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_targets(data: dict, where: str = "targets") -> tuple[Target, ...]:
    """Targets from parsed TOML (``{"target": [ {...}, ... ]}``); ValueError when malformed."""
    blocks = data.get("target")
    if not isinstance(blocks, list) or not blocks:
        raise ValueError(f"{where}: no [[target]] blocks")
    targets: list[Target] = []
    seen: set[str] = set()
    for i, block in enumerate(blocks, 1):
        here = f"{where}: target #{i}"
        if not isinstance(block, dict):
            raise ValueError(f"{here}: must be a [[target]] table, got {block!r}")
        key = block.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{here}: 'key' must match [a-z][a-z0-9_]*, got {key!r}")
        if key in seen:
            raise ValueError(f"{here}: duplicate key {key!r}")
        seen.add(key)
        fields = {
            "key",
            "name",
            "aliases",
            "aliases_cased",
            "persons",
            "references",
            "implicit_addressee",
        }
        unknown = set(block) - fields
        if unknown:
            raise ValueError(f"{here}: unknown field(s) {sorted(unknown)}")
        name = block.get("name", key)
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{here}: 'name' must be a non-empty string, got {name!r}")
        implicit = block.get("implicit_addressee", False)
        if not isinstance(implicit, bool):
            raise ValueError(
                f"{here}: 'implicit_addressee' must be true or false, got {implicit!r}"
            )
        t = Target(
            key=key,
            name=name.strip(),
            aliases=_strings(block, "aliases", here),
            aliases_cased=_strings(block, "aliases_cased", here),
            persons=_strings(block, "persons", here),
            references=_strings(block, "references", here),
            implicit_addressee=implicit,
        )
        if not (t.aliases or t.aliases_cased or t.references):
            raise ValueError(f"{here}: target {key!r} has no aliases")
        targets.append(t)
    if sum(t.implicit_addressee for t in targets) > 1:
        raise ValueError(f"{where}: at most one target may be the implicit_addressee")
    return tuple(targets)


def load_targets(path: str | Path | None = None) -> tuple[Target, ...]:
    """Targets from a TOML file (default: the bundled US, China, Japan)."""
    p = Path(path) if path is not None else DEFAULT_TARGETS
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{p}: targets file not found") from None
    except IsADirectoryError:
        raise ValueError(f"{p}: is a folder; give the targets TOML file") from None
    except OSError as err:
        raise ValueError(f"{p}: cannot read the targets file ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{p}: not UTF-8 text (byte {err.start})") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{p}: not valid TOML ({err})") from None
    return parse_targets(data, str(p))
