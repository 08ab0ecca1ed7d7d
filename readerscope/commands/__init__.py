"""CLI commands, one module each; ``register_all`` adds the ones that exist to the app."""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = ("parse", "analyze", "summary", "figures", "codebook")


def register_all(app: typer.Typer) -> None:
    """Each command module exposes ``register(app)``."""
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"readerscope.commands.{name}")
        module.register(app)
