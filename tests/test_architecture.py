"""The structure promised in docs/architecture.md, checked on the code itself.

- data flows comments -> analysis -> figures (the CLI may use all three), never back;
- no import circle between modules; no function over 80 lines;
- every column ``analyze`` adds is declared in analysis/columns.py;
- the outputs on the built-in sample are what they were (stored content digests).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from output_digest import figure_digests, folder_digests, summary_digest
from readerscope.analysis.columns import stance_keys, undeclared
from readerscope.analysis.outputs import write_result
from readerscope.analysis.summary import summarize
from readerscope.figures.catalog import FIGURES
from readerscope.figures.save import _csv_bytes
from sample_analysis import sample_inputs, sample_result

ROOT = Path(__file__).parents[1]
FOLDERS = ("cli", "comments", "analysis", "figures")
ALLOWED = {
    "comments": {"comments"},
    "analysis": {"comments", "analysis"},
    "figures": {"comments", "analysis", "figures"},
    "cli": {"comments", "analysis", "figures", "cli"},
    "__main__": {"cli"},
}
MAX_LINES = 80


def _modules() -> dict[str, Path]:
    """Module name within the package (the repository root), e.g. 'analysis.stance.rules'."""
    out = {"__main__": ROOT / "__main__.py"}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports (relative or readerscope.*)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    parts = package.split(".") if package else []
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("readerscope."):
                mod = node.module.removeprefix("readerscope.")
            else:
                continue
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name.removeprefix("readerscope.") for a in node.names
                       if a.name.startswith("readerscope.")]  # fmt: skip
        found |= {t for t in targets if t in known}
    return found - {name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def test_data_flows_one_way(graph):
    wrong = [
        f"{a} -> {b}"
        for a, deps in graph.items()
        for b in deps
        if b.split(".")[0] not in ALLOWED[a.split(".")[0]]
    ]
    assert wrong == []


def test_no_import_circle(graph):
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            # a package __init__ re-exporting its own modules is not a circle of logic
            if len(comp) > 1 and not all(c.startswith(min(comp)) for c in comp):
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


def test_no_function_over_80_lines():
    long = []
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n})")
    assert long == []


def test_every_added_column_is_declared():
    df = sample_result().comments
    keys = stance_keys(df)
    assert keys == ["us", "china", "japan"]
    assert undeclared(df, keys) == []


def test_sample_outputs_are_unchanged(tmp_path):
    """Content digests of every table, network, corpus file and figure data CSV, and of
    the summary, against the stored ones. The redesign (issue 13) kept them byte for byte;
    they were regenerated once after it, for the intended changes of results (zero-shot
    stance by default, seed cues off, bounded networks, the parser's evidence rules)."""
    stored = json.loads((ROOT / "tests" / "fixtures" / "sample_output_digests.json").read_text())
    result = sample_result()
    write_result(result, tmp_path / "out")
    assert folder_digests(tmp_path / "out") == stored["outputs"]
    figs = tmp_path / "figs"
    figs.mkdir()
    inputs = sample_inputs()
    for spec in FIGURES:
        (figs / f"{spec.name}.csv").write_bytes(_csv_bytes(spec.data(inputs)))
    assert figure_digests(figs) == stored["figure_data"]
    summary = json.loads(json.dumps(summarize(result), default=str))
    assert summary_digest(summary) == stored["summary"]


def test_every_imported_library_is_a_declared_dependency():
    """A library the package imports must be in pyproject's dependencies (or, if only
    imported on demand for an option, in an extra): a transitive install through the dev
    tools is not enough (platformdirs was missing from a plain `python install.py`)."""
    import importlib.metadata as metadata
    import re
    import sys
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(specs: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower() for spec in specs}

    core = names(project["dependencies"])
    extras = names([s for key, v in project["optional-dependencies"].items() if key != "dev"
                    for s in v])  # fmt: skip
    imported: set[str] = set()
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    imported -= set(sys.stdlib_module_names) | {"readerscope"}
    dists = metadata.packages_distributions()
    undeclared = {
        m: dists.get(m, [m])[0].lower()
        for m in sorted(imported)
        if dists.get(m, [m])[0].lower() not in core | extras
    }
    assert undeclared == {}
    assert {"onnxruntime", "ray"} & core == set()  # optional: imported only on demand
