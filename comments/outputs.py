"""Output folders that land whole or not at all.

An analysis writes many files (tables, networks, a corpus export, a manifest). Written
one by one into place, an interrupted run would leave new tables beside an earlier run's
networks with nothing to show the mix. So every file goes into a temporary folder beside
the target, which then replaces the target in one step: on Linux an atomic exchange of
the two folders (``renameat2(RENAME_EXCHANGE)``), elsewhere two renames with the earlier
folder kept until the new one is in place.

Where the target cannot be written (a file in the way, a read-only file system, a path
under /proc) is found out before any work: :func:`check_target` and
:func:`check_writable` try to create a file there and say why they cannot.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
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
_WHY = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "no space left on the device",
}
if hasattr(errno, "EDQUOT"):
    _WHY[errno.EDQUOT] = "disk quota exceeded"


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


def cannot_write(path: str | Path, err: OSError) -> InputError:
    """The one-line error for an OSError met while writing ``path``."""
    why = _WHY.get(err.errno or 0) or (err.strerror or str(err)).lower()
    return InputError(path, f"cannot be written: {why}")


def check_writable(path: str | Path) -> None:
    """InputError unless a file can be created at ``path`` (its folders may be missing).

    The nearest existing folder above ``path`` must be a folder in which a file can be
    made: a regular file in the way, a read-only file system or a path under /proc
    fails here, before any work, with the reason in words. Nothing is left behind.
    """
    path = Path(path)
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(path, f"cannot be written: {parent} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".readerscope-probe-", dir=parent)
    except OSError as err:
        why = _WHY.get(err.errno or 0) or (err.strerror or str(err)).lower()
        raise InputError(
            path, f"cannot be written: no file can be made in {parent} ({why})"
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def check_target(target: Path) -> None:
    """InputError unless ``target`` may be replaced: absent, empty, or an earlier output,
    in a place where a folder can be written."""
    target = Path(target)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise InputError(target, "exists and is not a folder; give a folder for the outputs")
        if _is_mount_point(target):
            raise InputError(
                target,
                "is a mount point, and an output folder is replaced whole; give a folder inside it",
            )
        if _holds_cwd(target):
            raise InputError(
                target, "is the current folder (or holds it); give a folder inside it, e.g. -o out"
            )
        if any(target.iterdir()) and not is_output_folder(target):
            raise InputError(
                target,
                "is a folder that readerscope did not write; give a new or empty folder "
                "(an earlier readerscope output folder is replaced)",
            )
    check_writable(target)


def _is_mount_point(folder: Path) -> bool:
    """os.path.ismount, plus bind mounts within one file system (Linux mountinfo)."""
    if os.path.ismount(folder):
        return True
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return False
    points = {line.split()[4].encode().decode("unicode_escape") for line in lines}
    return str(folder.resolve()) in points


def _holds_cwd(folder: Path) -> bool:
    try:
        return Path.cwd().resolve().is_relative_to(folder.resolve())
    except OSError:  # the working directory is gone
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _remove_stale(target: Path) -> None:
    """Remove temporary folders beside ``target`` left by killed runs (their pid is gone)."""
    prefix = f".{target.name}.tmp-"
    for tmp in target.parent.glob(f"{prefix}*"):
        pid = tmp.name.removeprefix(prefix).split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


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


def _make_tmp(target: Path) -> Path:
    """A fresh folder beside ``target`` named after this process, with the usual mode."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    prefix = f".{target.name}.tmp-{os.getpid()}-"
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; an output folder is not
    return tmp


@contextlib.contextmanager
def output_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder to write into; on success it becomes ``target``.

    On an error (or an interrupt) the temporary folder is removed and ``target`` keeps
    its earlier content; after a hard kill the next run removes it. Errors from the file
    system become one-line InputErrors.
    """
    target = Path(target)
    check_target(target)
    try:
        tmp = _make_tmp(target)
    except OSError as err:
        raise cannot_write(target, err) from None
    try:
        yield tmp
        _swap_into_place(tmp, target)
    except OSError as err:
        raise cannot_write(target, err) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
