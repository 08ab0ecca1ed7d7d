"""Checks of readerscope output folders, shared by the catalogue and interrupt tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def verify_output_folder(folder: Path) -> dict:
    """The folder's manifest, after checking that the folder is one whole output.

    Every file the manifest lists is there with its sha256, and no other file is (the
    manifest itself aside). AssertionError naming the difference otherwise.
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest.get("written_by") == "readerscope", manifest
    listed = manifest["files"]
    present = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert present == set(listed), (
        f"{folder}: files not in the manifest {sorted(present - set(listed))}, "
        f"listed but missing {sorted(set(listed) - present)}"
    )
    for name, digest in listed.items():
        got = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert got == digest, f"{folder / name}: sha256 differs from the manifest"
    return manifest
