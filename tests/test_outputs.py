"""Output folders and files: refused up front where they cannot be written, landing whole,
with the usual permissions; and what their manifest records."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from readerscope.analysis.config import config_from_dict
from readerscope.analysis.provenance import find_seeds, run_manifest
from readerscope.analysis.stance.supervised import NotEnoughCoding, cross_validation_targets
from readerscope.analysis.stance.targets import load_targets
from readerscope.comments import InputError
from readerscope.comments.outputs import check_target, check_writable, output_folder

ROOT = Path(__file__).parents[1]


def test_unwritable_places_fail_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    cases = {
        "/proc/1/out": "no file can be made in /proc/1",
        str(tmp_path / "a_file" / "out"): "a_file is a file, not a folder",
        str(tmp_path / "a_file" / "deeper" / "out"): "a_file is a file, not a folder",
    }
    for path, problem in cases.items():
        for check in (check_target, check_writable):
            with pytest.raises(InputError, match=problem):
                check(Path(path))
    with pytest.raises(InputError, match="exists and is not a folder"):
        check_target(tmp_path / "a_file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]  # no probe left


def test_new_folders_on_the_way_are_fine_and_not_made_by_the_check(tmp_path: Path) -> None:
    check_target(tmp_path / "new" / "deeper" / "out")
    check_writable(tmp_path / "new" / "sheet.csv")
    assert list(tmp_path.iterdir()) == []


def test_the_current_folder_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for target in (Path("."), tmp_path.parent):
        with pytest.raises(InputError, match="is the current folder"):
            check_target(target)


def test_output_folder_has_the_usual_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with output_folder(tmp_path / "out") as tmp:
            (tmp / "manifest.json").write_text('{"written_by": "readerscope"}')
    finally:
        os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def test_leftovers_of_killed_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.tmp-{dead.pid}-abc"
    live = tmp_path / f".out.tmp-{os.getppid()}-abc"  # a process that is running
    other = tmp_path / ".other.tmp-1-abc"  # beside another target
    for folder in (stale, live, other):
        folder.mkdir()
    with output_folder(tmp_path / "out") as tmp:
        (tmp / "manifest.json").write_text('{"written_by": "readerscope"}')
    assert not stale.exists() and live.exists() and other.exists()


def _unshare_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="no unprivileged user+mount namespace here")
def test_read_only_bind_mount(tmp_path: Path) -> None:
    """A folder bind-mounted read-only (in a private mount namespace, so nothing else sees
    it): every writing command fails at once with 'read-only', exit 2, one line."""
    ro = tmp_path / "ro"
    ro.mkdir()
    commands = {
        f"analyze --no-topics -o {ro}/an": "the file system is read-only",
        f"figures --no-topics -o {ro}/figs": "the file system is read-only",
        f"figures --no-topics -o {ro}": "is a mount point",
        f"codebook -o {ro}/sheet.csv": "the file system is read-only",
        f"parse -o {ro}/x.parquet": "the file system is read-only",
    }
    py = f"{sys.executable} -m readerscope"
    script = f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} && " + " ; ".join(
        f"{py} {c}; echo rc=$?" for c in commands
    )
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.stdout.count("rc=2") == len(commands), proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(commands), proc.stderr
    for line, problem in zip(lines, commands.values(), strict=True):
        assert line.startswith("readerscope: error: ") and problem in line, line
    assert list(ro.iterdir()) == []


def test_manifest_provenance(tmp_path: Path) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nkey = "korea"\naliases = ["Korea"]\n')
    cfg = config_from_dict({"stance": {"targets_path": str(targets)}})
    threads = pl.DataFrame({"source": ["sample:japantoday_750057"]})
    m = run_manifest(threads, cfg)
    assert m["inputs"][0]["sha256"] and m["python"].count(".") == 2
    assert m["stance"]["targets"] == ["korea"]
    assert m["stance"]["targets_file"]["path"] == str(targets)
    assert m["stance"]["lexicon_file"]["path"] == "bundled:stance_lexicon.toml"
    assert m["seeds"] == {"topics.random_state": 42}  # use_seed_cues is a switch
    assert find_seeds({"a": {"seed": 1, "b_seed": 2, "use_seed_cues": True}}) == {
        "a.seed": 1,
        "a.b_seed": 2,
    }


def test_supervised_needs_two_labels_of_one_target() -> None:
    targets = load_targets()
    comments = pl.DataFrame({"comment_id": [f"c{i}" for i in range(1, 6)]})

    def coding(us: list[str | None], china: list[str | None]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "comment_id": comments["comment_id"],
                "stance_us": us,
                "stance_china": china,
                "stance_japan": [None] * 5,
            },
            schema={
                c: pl.String for c in ("comment_id", "stance_us", "stance_china", "stance_japan")
            },
        )

    with pytest.raises(NotEnoughCoding, match="us: all 5 coded comments are 'against'"):
        cross_validation_targets(comments, coding(["against"] * 5, [None] * 5), targets)
    usable, skipped = cross_validation_targets(
        comments, coding(["against", "favor", None, None, None], ["favor"] + [None] * 4), targets
    )
    assert [t.key for t in usable] == ["us"]
    assert skipped == {
        "china": "1 coded comment(s), fewer than the 2 needed",
        "japan": "no coded comment",
    }
    with pytest.raises(NotEnoughCoding, match="fewer than the 5 needed"):
        cross_validation_targets(
            comments, coding(["against", "favor", None, None, None], [None] * 5), targets, 5
        )
