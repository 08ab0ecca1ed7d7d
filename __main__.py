"""``python -m readerscope`` runs the CLI (works even where the script dir is not on PATH)."""

from .cli import main

main()
