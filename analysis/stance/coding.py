"""Coding sheets: export comments for hand coding, read filled sheets back.

A sheet is a CSV with comment_id (or position), the text, and one ``stance_<key>``
column per target; empty cells are "not coded". The project's reference coding of the
sample thread and an independent second coding ship in ``analysis/resources/``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from ...comments.errors import InputError
from ...comments.outputs import cannot_write
from ..columns import STANCE_LABELS as LABELS
from .sampling import SAMPLE_COLUMNS
from .targets import Target, load_targets

REFERENCE_CODING = Path(__file__).parent.parent / "resources" / "reference_coding.csv"
SECOND_CODING = Path(__file__).parent.parent / "resources" / "second_coding.csv"
GUIDELINES = Path(__file__).parent.parent / "resources" / "coding_guidelines.md"

_SYNONYMS = {
    "favour": "favor",
    "for": "favor",
    "pro": "favor",
    "anti": "against",
    "con": "against",
    "n/a": "none",
    "na": "none",
}

SHEET_INSTRUCTIONS = (
    "For each target column write one of: favor, against, neutral (discussed, no position), "
    "none (not addressed). Code the commenter's own words only (not quoted lines). "
    "Leave a cell empty to skip it. Full codebook: coding_guidelines.md."
)


SAMPLING_INSTRUCTIONS = (
    " Leave the sample_kind, inclusion_probability, sample_seed and sample_stratum columns "
    "as they are: the corrected estimates need them to know how each row was chosen."
)


def codebook_sheet(df: pl.DataFrame, targets: Sequence[Target] | None = None) -> pl.DataFrame:
    """The coding sheet: comment_id, position, user, text, one empty column per target,
    notes, and the instructions (in the first row's ``instructions`` cell). Rows of a coding
    sample (:mod:`.sampling`) keep their sampling columns at the end, so the filled sheet
    still says how each row was chosen."""
    targets = targets or load_targets()
    n = df.height
    sampling = [c for c in SAMPLE_COLUMNS if c in df.columns]
    text = SHEET_INSTRUCTIONS + (SAMPLING_INSTRUCTIONS if sampling else "")
    cols = [
        df["comment_id"],
        df["position"] if "position" in df.columns else pl.Series("position", range(1, n + 1)),
        df["user"] if "user" in df.columns else pl.Series("user", [None] * n, pl.String),
        df["text"],
    ]
    sheet = pl.DataFrame(cols).with_columns(
        *[pl.lit(None, pl.String).alias(f"stance_{t.key}") for t in targets],
        pl.lit(None, pl.String).alias("notes"),
        pl.Series("instructions", [text] + [None] * max(n - 1, 0), pl.String)
        if n
        else pl.Series("instructions", [], pl.String),
    )
    return pl.concat([sheet, df.select(sampling)], how="horizontal")


def write_csv_file(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV at ``path`` (folders made); InputError when it cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        df.write_csv(path)
    except OSError as err:
        raise cannot_write(path, err) from None
    return path


def write_codebook(df: pl.DataFrame, path: str | Path, targets=None) -> Path:
    """Write the coding sheet CSV (and the codebook beside it, ``<name>.guidelines.md``)."""
    path = write_csv_file(codebook_sheet(df, targets), path)
    guide = path.with_name(path.stem + ".guidelines.md")
    text = f"# Coding instructions\n\n{SHEET_INSTRUCTIONS}\n\n" + GUIDELINES.read_text(
        encoding="utf-8"
    )
    try:
        guide.write_text(text, encoding="utf-8")
    except OSError as err:
        raise cannot_write(guide, err) from None
    return path


def _label(raw: str | None, path: Path, line: int, column: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    value = _SYNONYMS.get(raw.strip().lower(), raw.strip().lower())
    if value not in LABELS:
        raise InputError(
            path, f"line {line}, column {column}: {raw!r} is not one of {', '.join(LABELS)}"
        )
    return value


def read_coding(
    path: str | Path,
    targets: Sequence[Target] | None = None,
    comments: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """A filled coding sheet (or reference coding) as comment_id + stance_<key> columns.

    Rows are identified by ``comment_id``, or by ``position`` when ``comments`` (the
    comment table, one thread) is given to map positions to ids. Empty cells are null
    (not coded). Raises InputError naming the file and the problem.
    """
    path = Path(path)
    targets = targets or load_targets()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError(path, "coding sheet not found") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(path, f"not a readable CSV file ({err})") from None
    if not rows:
        raise InputError(path, "coding sheet has no rows")
    header = set(rows[0])
    missing = [f"stance_{t.key}" for t in targets if f"stance_{t.key}" not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    by_position: Mapping[str, str] = {}
    if "comment_id" not in header:
        if "position" not in header or comments is None:
            raise InputError(path, "needs a comment_id column (or position plus the thread)")
        by_position = {str(p): c for p, c in comments.select("position", "comment_id").iter_rows()}
    out: dict[str, list] = {"comment_id": []} | {f"stance_{t.key}": [] for t in targets}
    for line, row in enumerate(rows, start=2):
        cid = row.get("comment_id") or by_position.get(str(row.get("position", "")).strip())
        if not cid:
            raise InputError(path, f"line {line}: no comment matches this row")
        out["comment_id"].append(cid)
        for t in targets:
            col = f"stance_{t.key}"
            out[col].append(_label(row.get(col), path, line, col))
    frame = pl.DataFrame(out, schema={k: pl.String for k in out})
    if frame["comment_id"].n_unique() != frame.height:
        raise InputError(path, "a comment is coded twice")
    if comments is not None:
        unknown = set(frame["comment_id"].to_list()) - set(comments["comment_id"].to_list())
        if unknown:
            raise InputError(
                path,
                f"{len(unknown)} row(s) name comments not in the thread, e.g. "
                f"{sorted(unknown)[0]!r}",
            )
    return frame


def reference_coding(comments: pl.DataFrame, targets=None) -> pl.DataFrame:
    """The project's reference coding of the seed thread (37 comments, guidelines in
    resources/coding_guidelines.md), keyed by the comment ids of ``comments``."""
    return read_coding(REFERENCE_CODING, targets, comments)


def second_coding(comments: pl.DataFrame, targets=None) -> pl.DataFrame:
    """The independent second coding of the seed thread (for inter-coder agreement)."""
    return read_coding(SECOND_CODING, targets, comments)


def sheet_ids(path: str | Path, comments: pl.DataFrame) -> list[str]:
    """The comment ids a sheet names, filled or not (for ``codebook --next --exclude``):
    its comment_id column, else its positions in the one thread of ``comments``."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError(path, "coding sheet not found") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(path, f"not a readable CSV file ({err})") from None
    if rows and "comment_id" in rows[0]:
        return [r["comment_id"] for r in rows if r["comment_id"]]
    if rows and "position" in rows[0] and comments["thread_id"].n_unique() == 1:
        by_position = {str(p): c for p, c in comments.select("position", "comment_id").iter_rows()}
        return [by_position[r["position"]] for r in rows if r["position"] in by_position]
    raise InputError(path, "needs a comment_id column (or position, for one thread)")
