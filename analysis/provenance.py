"""Provenance: what a reader needs to regenerate a table or a figure.

One place assembles it for ``analyze``, ``figures`` and the notebook: the sha256 of every
input, the Python version and the installed versions of the packages that can change a
result, the whole configuration, every seed in it, and how the stance was labelled (with
the sha256 of the targets and lexicon files). No timestamps, so the
same input and configuration give a byte-identical manifest.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import polars as pl

from .config import AnalysisConfig, config_to_dict

PACKAGES: tuple[str, ...] = (
    "readerscope",
    "polars",
    "numpy",
    "matplotlib",
    "vaderSentiment",
    "bertopic",
    "sentence-transformers",
    "scikit-learn",
    "umap-learn",
    "hdbscan",
    "networkx",
)
"""Packages whose versions can change a result; recorded in every manifest."""


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each package ('not installed' when absent)."""
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_hashes(threads: pl.DataFrame) -> list[dict[str, str | None]]:
    """sha256 of each thread's input file (the packaged file for the built-in sample)."""
    out = []
    for source in dict.fromkeys(threads["source"].to_list()):
        if source.startswith("sample:"):
            name = source.removeprefix("sample:")
            data = resources.files("readerscope.comments").joinpath(f"samples/{name}.txt")
            digest = hashlib.sha256(data.read_bytes()).hexdigest()
        elif Path(source).is_file():
            digest = sha256_file(source)
        else:
            digest = None
        out.append({"source": source, "sha256": digest})
    return out


def _is_seed(key: str) -> bool:
    return key in ("seed", "random_state") or key.endswith(("_seed", "_random_state"))


def find_seeds(values: Any, prefix: str = "") -> dict[str, Any]:
    """Every ``random_state``/``seed`` setting in a nested config dict, by dotted path
    (a switch such as ``use_seed_cues`` is not a seed).

    >>> find_seeds({"topics": {"random_state": 42, "n": 3}, "rules": {"use_seed_cues": True}})
    {'topics.random_state': 42}
    """
    found: dict[str, Any] = {}
    if isinstance(values, dict):
        for key, value in values.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                found.update(find_seeds(value, path))
            elif _is_seed(str(key)):
                found[path] = value
    return found


def _file_record(path: str | None, default: Path) -> dict[str, str | None]:
    """Path and sha256 of a file the configuration names (the bundled one when None)."""
    p = Path(path) if path else default
    return {"path": str(path) if path else f"bundled:{default.name}", "sha256": sha256_file(p)}


def stance_method(config: AnalysisConfig, *, choice: str | None = None) -> dict[str, Any]:
    """How stance was labelled, in words and settings (for manifests and the summary): the
    method, why it ran (``choice``: what 'auto' resolved to at this corpus size), the
    targets, and the sha256 of the targets and lexicon files read."""
    from .stance.lexicon import DEFAULT_LEXICON
    from .stance.stage import method_label
    from .stance.targets import DEFAULT_TARGETS

    stance = config.stance
    return {
        "method": stance.method,
        "label": method_label(stance),
        "model_dir": stance.model_dir,
        "choice": choice,
        "targets": [t.key for t in stance.targets()],
        "targets_file": _file_record(stance.targets_path, DEFAULT_TARGETS),
        "lexicon_file": _file_record(stance.rules.lexicon_path, DEFAULT_LEXICON),
    }


def run_manifest(
    threads: pl.DataFrame,
    config: AnalysisConfig,
    *,
    stance_choice: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance of one run: inputs, packages, config, seeds, stance method."""
    cfg = config_to_dict(config)
    return {
        "written_by": "readerscope",
        "inputs": input_hashes(threads),
        "python": platform.python_version(),
        "packages": package_versions(),
        "config": cfg,
        "seeds": find_seeds(cfg),
        "stance": stance_method(config, choice=stance_choice),
        **dict(extra or {}),
    }
