"""Target masking: the target's mentions become one placeholder before a model reads them.

Why: a classifier that sees "Macron" while it learns will learn what its training data
thought of Macron. With every mention replaced by ``[TARGET]`` it can only learn how a
writer expresses a stance toward *a* target, which is what must carry over to targets it
never saw. The target's name still goes in the pair's first segment, so a text that
implies the target without naming it (a hashtag, "our president") can still be read.
"""

from __future__ import annotations

import re

from .targets import Target

PLACEHOLDER = "[TARGET]"
"""What every mention of the target becomes (three word pieces: ``[``, ``target``, ``]``)."""

_SUFFIX = re.compile(r"(?:'s|’s|s)$")


def mask_target(text: str, target: Target, placeholder: str = PLACEHOLDER) -> str:
    """``text`` with every alias/reference of ``target`` replaced by ``placeholder``.

    A possessive ending stays ("Macron's" -> "[TARGET]'s"), so the syntax around the
    mention survives; a plural ending is dropped with the name ("Germans" -> "[TARGET]").
    """

    def repl(m: re.Match[str]) -> str:
        word = m.group(0)
        end = _SUFFIX.search(word)
        keep = end.group(0) if end and end.group(0) != "s" else ""
        return placeholder + keep

    return target.pattern.sub(repl, text or "")


def is_named(text: str, target: Target) -> bool:
    """Whether any alias or reference of ``target`` occurs in ``text``."""
    return target.pattern.search(text or "") is not None
