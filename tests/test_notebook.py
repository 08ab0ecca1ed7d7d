"""The exploration notebook runs top to bottom on the sample thread (so it never goes stale)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore_sample_thread.ipynb"


def test_notebook_executes_and_shows_every_figure(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Run in a scratch directory so caches and outputs never land in the repository.
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors
    images = sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    )
    assert images >= 9  # one inline image per paper figure
