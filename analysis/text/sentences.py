"""Sentence splitting shared by sentiment (per-sentence scores) and stance (clause scope)."""

from __future__ import annotations

import re

_ABBREV = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|vs|etc|No|Prof)\.)$")
_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|No|Prof)\.$")
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’)]*)[ \t]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? … and at line breaks; empty pieces dropped.

    >>> split_sentences("The U.S. abandons Japan. Really?")
    ['The U.S. abandons Japan.', 'Really?']
    """
    marked = _SENTENCE_END.sub("\\1\n", text or "")
    out: list[str] = []
    for piece in (p.strip() for p in marked.split("\n")):
        if not piece:
            continue
        # "the U.S. abandons" is one sentence: re-join after an abbreviation.
        if out and _ABBREV.search(out[-1]) and (piece[0].islower() or _TITLE.search(out[-1])):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out
