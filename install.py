"""Set up readerscope with pip, preferring a CPU build of torch where the machine offers one.

Why: sentence-transformers (via BERTopic) pulls in torch. An unconstrained ``torch``
resolves to the newest CUDA build, several GB of packages, which the CPU-only
embedding work here does not need. Where the package index offers the pinned
CPU build (``torch==2.13.0`` resolves to a local ``+cpu`` wheel on our machines),
we install it first, so the dependency is already satisfied; elsewhere that step
is skipped and pip resolves torch the normal way.

Usage: ``python install.py [--dev]`` (``--dev`` adds the test tools).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

CPU_TORCH = "torch==2.13.0"


def pip(*args: str) -> int:
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", *args]
    print("+", " ".join(cmd[2:]), flush=True)
    return subprocess.call(cmd)


def main() -> int:
    dev = "--dev" in sys.argv[1:]
    if importlib.util.find_spec("torch") is None and pip(CPU_TORCH) != 0:
        print(f"note: {CPU_TORCH} is not offered here; pip will choose torch itself.")
    target = ".[dev]" if dev else "."
    return pip("--editable", target)


if __name__ == "__main__":
    sys.exit(main())
