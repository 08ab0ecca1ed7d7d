"""The bad-input catalogue (tests/catalogue/cli/cases.toml) through every command.

Every case runs through each command that can take it (parse, analyze, summary, figures,
codebook), in-process through typer's CliRunner on the real ``readerscope`` app and from
the catalogue folder. Whatever the case, no output holds a traceback and the exit code
is 0 or 2. Exit 2 is one error line on stderr (after any one-line parse warnings) holding the case's
message; exit 0 reports the
expected number of comments (and the expected parse warning), and an ``analyze`` output
folder is whole: every file its manifest lists, with its sha256.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import traceback
from pathlib import Path
from typing import Any

import pytest
from output_folders import verify_output_folder
from readerscope.cli import app
from typer.testing import CliRunner, Result

CATALOGUE = Path(__file__).parent / "catalogue" / "cli"
CASES: list[dict[str, Any]] = tomllib.loads((CATALOGUE / "cases.toml").read_text())["case"]
COMMANDS = ("parse", "analyze", "summary", "figures", "codebook")
OUTCOME = ("exit", "message", "comments", "warning", "xfail")
DEFAULT_ARGS = {
    "parse": ["-o", "{tmp}/comments.parquet"],
    "analyze": ["--no-topics", "-o", "{tmp}/out"],
    "summary": ["--no-topics", "--json"],
    "figures": ["--no-topics", "--format", "svg", "-o", "{tmp}/figures"],
    "codebook": ["-o", "{tmp}/sheet.csv"],
}
COUNT = {  # how each command reports the number of comments
    "parse": r"(\d+) comments found",
    "analyze": r"analysed (\d+) comments",
    "codebook": r"\((\d+) comments",
    "figures": r"figure\(s\) of (\d+) comments",
}


def _commands(case: dict[str, Any]) -> list[str]:
    if "commands" in case:
        return case["commands"]
    return [c for c in COMMANDS if not (c == "parse" and "config" in case)]


def _outcome(case: dict[str, Any], command: str) -> dict[str, Any]:
    """The case's expected outcome for one command (its [case.<command>] table on top)."""
    want = {k: case[k] for k in OUTCOME if k in case}
    want.update(case.get(command, {}))
    return want


def _params() -> list:
    out = []
    for case in CASES:
        for command in _commands(case):
            want = _outcome(case, command)
            marks = (
                [pytest.mark.xfail(strict=True, reason=want["xfail"])] if "xfail" in want else []
            )
            out.append(pytest.param(case, command, want, id=f"{case['id']}-{command}", marks=marks))
    return out


def _places(tmp: Path) -> dict[str, str]:
    (tmp / "a_file").write_text("not a folder\n")
    (tmp / "not_ours").mkdir()
    (tmp / "not_ours" / "notes.txt").write_text("someone else's folder\n")
    return {"{tmp}": str(tmp), "{file}": str(tmp / "a_file"),
            "{folder}": str(tmp / "not_ours"), "{proc}": "/proc/1"}  # fmt: skip


def command_line(case: dict[str, Any], command: str, tmp: Path) -> list[str]:
    """The arguments for one case and command (placeholders filled in)."""
    args = [command, *([case["input"]] if "input" in case else [])]
    base = list(DEFAULT_ARGS[command])
    if case.get("topics_flag") is False:
        base = [a for a in base if a != "--no-topics"]
    if "out" in case:
        base[base.index("-o") + 1] = case["out"]
    args += base
    if "config" in case:
        args += ["--config", case["config"]]
    if "format" in case:
        args += ["--input-format" if command == "figures" else "--format", case["format"]]
    args += case.get("args", [])
    places = _places(tmp)
    return [re.sub(r"\{\w+\}", lambda m: places[m.group()], a) for a in args]


def _reported_count(command: str, result: Result) -> int | None:
    if command == "summary":
        return json.loads(result.stdout)["comments"]
    found = re.search(COUNT[command], result.stdout) if command in COUNT else None
    return int(found.group(1)) if found else None


def _warnings(command: str, result: Result) -> str:
    if command == "summary":
        return " | ".join(w for t in json.loads(result.stdout)["threads"] for w in t["warnings"])
    return result.stdout


def _dotted(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _check_success(case: dict, command: str, want: dict, result: Result, tmp: Path) -> None:
    if "comments" in want and (command in COUNT or command == "summary"):
        assert _reported_count(command, result) == want["comments"], result.stdout
    if "warning" in want and command in ("parse", "summary"):
        assert want["warning"] in _warnings(command, result), result.stdout
    if command == "analyze" and "out" not in case:
        manifest = verify_output_folder(tmp / "out")
        for path, value in case.get("manifest", {}).items():
            assert _dotted(manifest, path) == value, path


@pytest.mark.parametrize(("case", "command", "want"), _params())
def test_catalogue(case: dict, command: str, want: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(CATALOGUE)
    args = command_line(case, command, tmp_path)
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"readerscope {' '.join(args)} raised\n{trace}")
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown, shown
    assert result.exit_code in (0, 2), shown
    assert result.exit_code == want["exit"], shown
    if want["exit"] == 2:
        *warned, error = result.stderr.strip().splitlines() or [""]
        assert error.startswith("readerscope: error: "), result.stderr
        assert all(w.startswith("readerscope: warning: ") for w in warned), result.stderr
        assert want["message"] in error, error
    else:
        _check_success(case, command, want, result, tmp_path)


def test_every_case_is_run_and_every_file_is_used() -> None:
    """Each case names a known command and outcome; each catalogue file is used by a case."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    used: set[str] = set()
    for case in CASES:
        assert case["exit"] in (0, 2) and set(_commands(case)) <= set(COMMANDS), case["id"]
        assert case["exit"] == 0 or "message" in case, case["id"]
        used.update(str(v) for k, v in case.items() if k in ("input", "config"))
        used.update(a for a in case.get("args", []) if "/" in a)
    configs = {c for c in used if c.startswith("configs/")}
    for config in configs:
        path = CATALOGUE / config
        if path.is_file():
            used.update(
                re.findall(r'"((?:targets|configs)/[^"]+)"', path.read_text("utf-8", "replace"))
            )
    files = {
        str(p.relative_to(CATALOGUE))
        for p in CATALOGUE.glob("*/*")
        if p.parent.name in ("inputs", "configs", "targets", "sheets")
    }
    assert files - used == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parse", "inputs/binary.txt"], "binary data"),
        (["analyze", "--config", "configs/threshold_string.toml", "-o", "{tmp}/a"], "'high'"),
        (["summary", "--jobs", "0"], "-1 for every core"),
        (["figures", "-o", "/proc/1/figures"], "cannot be written"),
        (["codebook", "--score", "sheets/one_target_one_label.csv", "--supervised"], "all 5"),
    ],
    ids=COMMANDS,
)
def test_entry_point_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    """The same through ``python -m readerscope``: exit 2, one line, no traceback."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "readerscope", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=CATALOGUE,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
