"""Errors for unusable input: one line, naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Input that cannot be turned into a comment table.

    The CLI prints ``str(err)`` (one line) and exits with code 2; no traceback.
    """

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = " ".join(problem.split())  # always one line
        super().__init__(f"{self.source}: {self.problem}")

    def __reduce__(self):  # picklable, so it crosses process boundaries (parallel parsing)
        return (type(self), (self.source, self.problem))


class ParseWarning(UserWarning):
    """Best-effort parse: the table was built, but something deserves the user's eye."""
