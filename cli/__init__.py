"""The ``readerscope`` command: parse, analyze, summary, figures, codebook.

Each command lives in its own module of this folder and is registered here. The
commands only parse options and render; the work is done by functions of comments/,
analysis/ and figures/ that return data. Unusable input ends with one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from . import analyze, codebook, figures, parse, stance, summary

app = typer.Typer(
    name="readerscope",
    help="Reader-comment discourse analysis: who says what, to whom, with what feeling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for _command in (parse, analyze, summary, figures, codebook, stance):
    _command.register(app)


def main() -> None:
    """Console entry point."""
    from ..comments.errors import InputError

    try:
        app()
    except InputError as err:
        print(f"readerscope: error: {err}", file=sys.stderr)
        sys.exit(2)
