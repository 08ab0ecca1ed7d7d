"""The ``readerscope`` command: parse, analyze, summary, figures, codebook.

Each command lives in its own module (``readerscope/commands/``) and is registered
here. Unusable input ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from readerscope.commands import register_all

app = typer.Typer(
    name="readerscope",
    help="Reader-comment discourse analysis: who says what, to whom, with what feeling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register_all(app)


def main() -> None:
    """Console entry point."""
    from readerscope.comments.errors import InputError

    try:
        app()
    except InputError as err:
        print(f"readerscope: error: {err}", file=sys.stderr)
        sys.exit(2)
