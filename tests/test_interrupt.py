"""An interrupted ``analyze`` leaves OUT whole: the earlier complete output or the new one.

OUT first holds a complete output of the built-in sample. Then ``analyze`` of another
thread into OUT is stopped by SIGINT (Ctrl-C) or SIGKILL at a point seen in the file
system: comments.parquet written in the temporary folder beside OUT, the networks
written, the manifest written (the swap is next), and the swap done (the earlier output
not yet removed). Each time OUT must be one whole output, every file its manifest.json
lists with its sha256 and no other, and it must be the earlier output until the swap and
the new one after it. A later run removes what a killed run left beside OUT.

To make each point a window rather than an instant, the child waits a little after each
step (the wrapper below patches the writer's functions with a sleep); the signals, the
processes and the file system are real. One more run is killed with no wait at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from output_folders import verify_output_folder

ROOT = Path(__file__).parents[1]
NEW_INPUT = Path("tests/catalogue/cli/inputs/forum.csv")  # relative to ROOT, the cwd
PAUSE = 0.4  # seconds the slowed child waits after each step (polling is every 2 ms)
SLOWED = f"""
import sys, time
import readerscope.analysis.outputs as analysis_outputs
import readerscope.comments.outputs as folder_outputs

def after(fn):
    def slow(*args, **kwargs):
        result = fn(*args, **kwargs)
        time.sleep({PAUSE})
        return result
    return slow

analysis_outputs.write_table = after(analysis_outputs.write_table)
analysis_outputs.write_networks = after(analysis_outputs.write_networks)
exchange = folder_outputs._exchange
def slow_exchange(a, b):
    time.sleep({PAUSE})
    swapped = exchange(a, b)
    time.sleep({PAUSE})
    return swapped
folder_outputs._exchange = slow_exchange

from readerscope.cli import main
sys.argv = ["readerscope", *sys.argv[1:]]
main()
"""


def _analyze(out: Path, *inputs: Path, slowed: bool = False) -> subprocess.Popen:
    run = ["-c", SLOWED] if slowed else ["-m", "readerscope"]
    return subprocess.Popen(
        [sys.executable, *run, "analyze", "--no-topics", *map(str, inputs), "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return err


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path | dict]:
    """A complete earlier output (the sample) and the manifest a complete new run writes."""
    base = tmp_path_factory.mktemp("outputs")
    earlier, new = _analyze(base / "earlier"), _analyze(base / "new", NEW_INPUT)
    _finish(earlier), _finish(new)
    return {
        "earlier": base / "earlier",
        "earlier_manifest": verify_output_folder(base / "earlier"),
        "new_manifest": verify_output_folder(base / "new"),
    }


def _temp_folders(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.tmp-*"))


def _reached(point: str, out: Path, inode: int) -> bool:
    """Whether the run into ``out`` has reached ``point`` (seen in the file system)."""
    if point == "swapped":
        return out.stat().st_ino != inode
    names = {"comments": "comments.parquet", "networks": "networks", "manifest": "manifest.json"}
    return any((tmp / names[point]).exists() for tmp in _temp_folders(out))


def _stop_at(point: str, sig: signal.Signals, out: Path, slowed: bool) -> tuple[int, str]:
    inode = out.stat().st_ino
    proc = _analyze(out, NEW_INPUT, slowed=slowed)
    deadline = time.monotonic() + 240
    while not _reached(point, out, inode):
        assert proc.poll() is None, f"the run ended before {point}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"{point} not reached"
        time.sleep(0.002)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _which(out: Path, outputs: dict) -> str:
    manifest = verify_output_folder(out)  # whole: every listed file, its sha256, no other
    for name in ("earlier", "new"):
        if manifest == outputs[f"{name}_manifest"]:
            return name
    raise AssertionError(f"{out} is neither the earlier output nor the new one")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("comments", "earlier"),
        ("networks", "earlier"),
        ("manifest", "earlier"),
        ("swapped", "new"),
    ],
)
def test_interrupted_run_leaves_one_whole_output(
    outputs: dict, tmp_path: Path, point: str, expected: str, sig: signal.Signals
) -> None:
    out = tmp_path / "out"
    shutil.copytree(outputs["earlier"], out)
    code, err = _stop_at(point, sig, out, slowed=True)
    assert code != 0, "the signal came too late: the run had finished"
    assert "Traceback" not in err, err
    assert _which(out, outputs) == expected
    if sig == signal.SIGINT:  # the run cleaned up after itself
        assert _temp_folders(out) == [], err
    else:  # a killed run cannot; the next run removes what it left
        assert _temp_folders(out), "the kill left no temporary folder: it came too late"
        _finish(_analyze(out, NEW_INPUT))
        assert _temp_folders(out) == []
        assert _which(out, outputs) == "new"


def test_killed_without_waits_leaves_one_whole_output(outputs: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(outputs["earlier"], out)
    _stop_at("comments", signal.SIGKILL, out, slowed=False)
    assert _which(out, outputs) in ("earlier", "new")


def test_an_interrupted_first_run_leaves_nothing(tmp_path: Path) -> None:
    """With no earlier output, an interrupted run leaves no OUT, not a partial one."""
    out = tmp_path / "out"
    out.mkdir()  # an empty folder may be the target too
    inode = out.stat().st_ino
    proc = _analyze(out, NEW_INPUT, slowed=True)
    while not _reached("networks", out, inode):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert list(out.iterdir()) == [] and _temp_folders(out) == []


def test_manifest_records_what_analyze_help_promises(outputs: dict) -> None:
    """analyze --help: manifest.json holds inputs' sha256, package versions, config, seeds,
    stance method and file hashes."""
    m = outputs["new_manifest"]
    (inp,) = m["inputs"]
    assert inp["source"].endswith("forum.csv")
    assert inp["sha256"] == hashlib.sha256((ROOT / NEW_INPUT).read_bytes()).hexdigest()
    assert m["packages"]["polars"] and m["packages"]["readerscope"] and m["python"]
    assert m["config"]["run"]["n_jobs"] == 1 and m["config"]["stages"]["topics"] is False
    assert m["seeds"] == {"topics.random_state": 42}
    assert m["stance"]["method"] == "zeroshot" and m["stance"]["targets"] == [
        "us",
        "china",
        "japan",
    ]
    assert m["stance"]["choice"].startswith("zeroshot (auto:")
    for record in (m["stance"]["targets_file"], m["stance"]["lexicon_file"]):
        assert len(record["sha256"]) == 64
    assert "comments.parquet" in m["files"] and "networks/reply_edges.csv" in m["files"]
    text = json.dumps(m)
    assert os.fspath(ROOT) not in text  # nothing tied to this checkout's location
