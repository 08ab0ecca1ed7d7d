"""The exploration notebook runs top to bottom on the sample thread (so it never goes stale)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore_sample_thread.ipynb"


def test_notebook_executes_and_shows_every_figure():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root, as a researcher would: the only thing written there is
    # the (git-ignored) embedding cache, which the other tests share; figures go to a temp dir.
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
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
