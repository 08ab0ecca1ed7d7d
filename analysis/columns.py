"""The columns analysis adds to the comment table: one contract, defined once.

:mod:`readerscope.comments.schema` defines the columns ingest fills. Every stage here
only *adds* columns, and each one it may add is declared below with its type, meaning
and the stage that writes it. Stance columns are per target: a target key ``k`` (from
the targets TOML) gives ``stance_k``, ``stance_k_score``, ``stance_k_evidence``. Target
keys may contain underscores (``south_korea``), so code never parses a column name to
find a key: it asks :func:`stance_keys`.

The stance label vocabulary lives here too, so that the stance stage, the tables, the
networks, the summary and the figures all speak the same four words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from ..comments.schema import COMMENT_COLUMNS, Column

FAVOR = "favor"
AGAINST = "against"
NEUTRAL = "neutral"
NOT_ADDRESSED = "none"
STANCE_LABELS: tuple[str, ...] = (FAVOR, AGAINST, NEUTRAL, NOT_ADDRESSED)
"""Every stance label: favor / against / neutral (addressed, no position) / none (not
addressed). Every stance column holds exactly these values."""
POSITIONS: tuple[str, ...] = (AGAINST, NEUTRAL, FAVOR)
"""The labels of a target that is addressed, in left-to-right (diverging) order."""
DISPLAY_ORDER: tuple[str, ...] = (*POSITIONS, NOT_ADDRESSED)
"""Every label in the order tables and legends show them."""

STANCE_PREFIX = "stance_"


@dataclass(frozen=True)
class AddedColumn:
    """A column an analysis stage adds: the schema column plus the stage that writes it.

    ``column.name`` may hold ``{key}``, filled with each target's key.
    """

    column: Column
    stage: str

    def for_key(self, key: str) -> Column:
        """The concrete column for target ``key`` (itself when not per target)."""
        c = self.column
        return Column(c.name.format(key=key), c.dtype, c.meaning.format(key=key))

    @property
    def per_target(self) -> bool:
        return "{key}" in self.column.name


ADDED_COLUMNS: tuple[AddedColumn, ...] = (
    AddedColumn(
        Column("sentiment_compound", pl.Float64(), "VADER compound score, -1 (neg) to 1 (pos)."),
        "sentiment",
    ),
    AddedColumn(Column("sentiment_pos", pl.Float64(), "VADER positive share."), "sentiment"),
    AddedColumn(Column("sentiment_neg", pl.Float64(), "VADER negative share."), "sentiment"),
    AddedColumn(Column("sentiment_neu", pl.Float64(), "VADER neutral share."), "sentiment"),
    AddedColumn(
        Column(
            "stance_{key}",
            pl.String(),
            "Stance toward target '{key}': favor, against, neutral (addressed, no position) "
            "or none (not addressed).",
        ),
        "stance",
    ),
    AddedColumn(
        Column(
            "stance_{key}_score",
            pl.Float64(),
            "Signed strength of the stance toward '{key}', -1 (against) to 1 (favor).",
        ),
        "stance",
    ),
    AddedColumn(
        Column(
            "stance_{key}_evidence",
            pl.String(),
            "What decided the label for '{key}' (a rule cue such as 'cue:con-man@trump', or "
            "the model and its confidence); null when not addressed.",
        ),
        "stance",
    ),
    AddedColumn(
        Column("topic", pl.Int32(), "Topic number, 0 = largest; -1 = outlier (no topic)."),
        "topics",
    ),
    AddedColumn(Column("topic_label", pl.String(), "Topic label (its top phrases)."), "topics"),
)
"""Every column analysis adds, in the order the stages add them."""

REPLY_COLUMNS: tuple[str, ...] = ("reply_to", "reply_method", "reply_confidence")
"""Schema columns (:mod:`readerscope.comments.schema`) the replies stage fills in."""


def stance_column(key: str) -> str:
    """The label column of target ``key``.

    >>> stance_column("south_korea")
    'stance_south_korea'
    """
    return f"{STANCE_PREFIX}{key}"


def score_column(key: str) -> str:
    """The signed-strength column of target ``key``."""
    return f"{STANCE_PREFIX}{key}_score"


def evidence_column(key: str) -> str:
    """The evidence column of target ``key``."""
    return f"{STANCE_PREFIX}{key}_evidence"


def stance_columns_for(keys: Iterable[str]) -> list[str]:
    """Every stance column of the targets, per target: label, score, evidence.

    >>> stance_columns_for(["us"])
    ['stance_us', 'stance_us_score', 'stance_us_evidence']
    """
    return [c for k in keys for c in (stance_column(k), score_column(k), evidence_column(k))]


def _holds_labels(df: pl.DataFrame, name: str) -> bool:
    if df.schema[name] != pl.String():
        return False
    return set(df[name].drop_nulls().unique().to_list()) <= set(STANCE_LABELS)


def stance_keys(df: pl.DataFrame) -> list[str]:
    """Target keys whose label column ``stance_<key>`` is in ``df``, in table order.

    A label column is a String column holding only stance labels. An evidence column
    that happens to be all null would qualify too, so a candidate named like another
    candidate's companion (``<label column>_evidence``/``_score``) is left out.

    >>> df = pl.DataFrame({"stance_south_korea": ["favor"], "stance_south_korea_score": [0.5],
    ...                    "stance_south_korea_evidence": [None]}, schema_overrides={
    ...                    "stance_south_korea_evidence": pl.String})
    >>> stance_keys(df)
    ['south_korea']
    """
    found = [
        c.removeprefix(STANCE_PREFIX)
        for c in df.columns
        if c.startswith(STANCE_PREFIX) and len(c) > len(STANCE_PREFIX) and _holds_labels(df, c)
    ]
    companions = {f"{k}{suffix}" for k in found for suffix in ("_evidence", "_score")}
    return [k for k in found if k not in companions]


def declared_columns(keys: Sequence[str]) -> tuple[Column, ...]:
    """Every column the comment table may carry after analysis with these target keys."""
    added: list[Column] = []
    for spec in ADDED_COLUMNS:
        added += [spec.for_key(k) for k in keys] if spec.per_target else [spec.column]
    return (*COMMENT_COLUMNS, *added)


def undeclared(df: pl.DataFrame, keys: Sequence[str]) -> list[str]:
    """Columns of ``df`` that the contract does not declare (or declares with another type)."""
    declared = {c.name: c.dtype for c in declared_columns(keys)}
    return [c for c in df.columns if declared.get(c) != df.schema[c]]


def contract_markdown() -> str:
    """The added columns as a Markdown table (for the docs)."""
    rows = ["| column | type | stage | meaning |", "|---|---|---|---|"]
    rows += [
        f"| `{a.column.name}` | {a.column.dtype} | {a.stage} | {a.column.meaning} |"
        for a in ADDED_COLUMNS
    ]
    return "\n".join(rows)
