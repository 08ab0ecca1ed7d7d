"""Output folders that land whole or not at all.

An analysis writes many files (tables, networks, a corpus export, a manifest). Written
one by one into place, an interrupted run would leave new tables beside an earlier run's
networks with nothing to show the mix. So every file goes into a temporary folder beside
the target, which then replaces the target in one step: on Linux an atomic exchange of
the two folders (``renameat2(RENAME_EXCHANGE)``), elsewhere two renames with the earlier
folder kept until the new one is in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError

MARKER = "manifest.json"
"""Every output folder holds this file, naming readerscope as its writer."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux); False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def is_output_folder(path: Path) -> bool:
    """True when ``path`` is a folder written by readerscope (it holds our manifest)."""
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("written_by") == "readerscope"


def check_target(target: Path) -> None:
    """InputError unless ``target`` may be replaced: absent, empty, or an earlier output."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(target, "exists and is not a folder; give a folder for the outputs")
    if any(target.iterdir()) and not is_output_folder(target):
        raise InputError(
            target,
            "is a folder that readerscope did not write; give a new or empty folder "
            "(an earlier readerscope output folder is replaced)",
        )


def _swap_into_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    if _exchange(tmp, target):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier output
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def output_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it becomes ``target``.

    On an error (or an interrupt) the temporary folder is removed and ``target`` keeps
    its earlier content. Errors from the file system become one-line InputErrors.
    """
    target = Path(target)
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as err:
        raise InputError(target, f"cannot be written ({err.strerror or err})") from None
    try:
        yield tmp
        _swap_into_place(tmp, target)
    except OSError as err:
        raise InputError(target, f"cannot be written ({err.strerror or err})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
