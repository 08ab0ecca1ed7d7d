"""Stance development data as one (text, target, label) table, for leave-targets-out work.

Three sources, each row one (text, target) pair:

- the written corpus in ``benchmarks/stance_corpus/`` (4 groups of entity targets, 5
  styles, 4 labels; ships with the repository);
- IBM ArgQ 30k (pro/con arguments on 71 motions, CC BY-SA 3.0) and Perspectrum
  (support/undermine perspectives on 907 claims, CC BY-SA 4.0), read in place from
  ``shared/data/stance_dev/`` and never copied into the repository.

ArgQ and Perspectrum targets are propositions, not entities: their pairs are not masked,
and they carry only favor/against, so :func:`distractors` makes ``none`` pairs by
pairing a text with a target it does not address.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from .masking import mask_target
from .targets import Target, load_targets

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "benchmarks" / "stance_corpus"
CORPUS_GROUPS = ("countries", "persons", "organisations", "policies")
STYLES = ("news_comment", "tweet", "reddit_reply", "forum_post", "letter")

SCHEMA = {
    "id": pl.String,
    "text": pl.String,
    "target": pl.String,
    "target_text": pl.String,
    "label": pl.String,
    "source": pl.String,
    "group": pl.String,
    "style": pl.String,
    "unit": pl.String,
    "split": pl.String,
    "entity": pl.Boolean,
}
"""Columns of every dev table. ``target_text`` is what the model reads as the target
(an entity's name or a motion/claim); ``unit`` is what leave-out folds hold out (the
target key, the motion, the claim); ``entity`` says whether mentions are masked."""


def find_dev_data() -> Path | None:
    """The ``stance_dev`` folder of ``shared/`` (beside or inside the checkout), if any."""
    for base in (REPO / "shared", REPO.parent / "shared", REPO.parent.parent / "shared"):
        p = base / "data" / "stance_dev"
        if p.is_dir():
            return p
    return None


def corpus_targets(group: str, corpus_dir: Path = CORPUS_DIR) -> tuple[Target, ...]:
    """The targets of one corpus group (its own targets.toml)."""
    return load_targets(corpus_dir / group / "targets.toml")


def load_corpus(
    groups: Sequence[str] = CORPUS_GROUPS, corpus_dir: Path = CORPUS_DIR
) -> pl.DataFrame:
    """The written corpus, one row per (text, target) line, with phenomena kept as a list."""
    frames = []
    for g in groups:
        if g not in CORPUS_GROUPS:
            raise ValueError(f"unknown corpus group {g!r}; choose from {', '.join(CORPUS_GROUPS)}")
        names = {t.key: t.name for t in corpus_targets(g, corpus_dir)}
        rows = [json.loads(x) for x in (corpus_dir / g / "items.jsonl").read_text().splitlines()]
        frames.append(
            pl.DataFrame(
                {
                    "id": [r["id"] for r in rows],
                    "text": [r["text"] for r in rows],
                    "target": [r["target"] for r in rows],
                    "target_text": [names[r["target"]] for r in rows],
                    "label": [r["label"] for r in rows],
                    "source": ["corpus"] * len(rows),
                    "group": [g] * len(rows),
                    "style": [r["style"] for r in rows],
                    "unit": [r["target"] for r in rows],
                    "split": [None] * len(rows),
                    "entity": [True] * len(rows),
                    "text_id": [r["text_id"] for r in rows],
                    "phenomena": [r["phenomena"] for r in rows],
                },
                schema_overrides=SCHEMA,
            )
        )
    return pl.concat(frames)


def load_argq(dev_dir: Path, *, min_conf: float = 0.6) -> pl.DataFrame:
    """IBM ArgQ 30k: argument -> motion; pro = favor, con = against (confidence >= min_conf)."""
    with (dev_dir / "ibm_argq_30k" / "arg_quality_rank_30k.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if float(r["stance_WA_conf"]) >= min_conf]
    return pl.DataFrame(
        {
            "id": [f"argq-{i}" for i in range(len(rows))],
            "text": [r["argument"].strip() for r in rows],
            "target": [r["topic"] for r in rows],
            "target_text": [r["topic"] for r in rows],
            "label": ["favor" if r["stance_WA"] == "1" else "against" for r in rows],
            "source": ["argq"] * len(rows),
            "group": ["argq"] * len(rows),
            "style": ["argument"] * len(rows),
            "unit": [r["topic"] for r in rows],
            "split": [r["set"] for r in rows],
            "entity": [False] * len(rows),
        },
        schema=SCHEMA,
    )


def load_perspectrum(dev_dir: Path) -> pl.DataFrame:
    """Perspectrum: perspective -> claim, support = favor, undermine = against."""
    base = dev_dir / "perspectrum"
    claims = json.loads((base / "perspectrum_with_answers_v1.0.json").read_text())
    pool = {
        p["pId"]: p["text"] for p in json.loads((base / "perspective_pool_v1.0.json").read_text())
    }
    split = json.loads((base / "dataset_split_v1.0.json").read_text())
    out: dict[str, list] = {k: [] for k in SCHEMA}
    for c in claims:
        for cluster in c["perspectives"]:
            lab = {"SUPPORT": "favor", "UNDERMINE": "against"}.get(
                cluster["stance_label_3"].upper()
            )
            if lab is None:
                continue
            for pid in cluster["pids"]:
                if pid not in pool:
                    continue
                for k, v in (
                    ("id", f"persp-{c['cId']}-{pid}"),
                    ("text", pool[pid].strip()),
                    ("target", f"claim-{c['cId']}"),
                    ("target_text", c["text"].strip()),
                    ("label", lab),
                    ("source", "perspectrum"),
                    ("group", "perspectrum"),
                    ("style", "perspective"),
                    ("unit", f"claim-{c['cId']}"),
                    ("split", split.get(str(c["cId"]), "train")),
                    ("entity", False),
                ):
                    out[k].append(v)
    return pl.DataFrame(out, schema=SCHEMA).unique("id", keep="first", maintain_order=True)


def distractors(df: pl.DataFrame, *, fraction: float, seed: int) -> pl.DataFrame:
    """``none`` pairs: a sample of ``df``'s texts, each paired with another unit's target.

    The new target comes from the same source but another unit (another motion, claim or
    corpus target group), so the text does not address it.
    """
    rng = np.random.default_rng(seed)
    n = round(df.height * fraction)
    if n == 0 or df.height == 0:
        return df.clear()
    pick = rng.choice(df.height, size=n, replace=False)
    units = df.select("source", "group", "unit", "target", "target_text", "entity").unique(
        maintain_order=True
    )
    rows = df[pick.tolist()]
    new_t, new_tt, keep = [], [], []
    for i, r in enumerate(rows.iter_rows(named=True)):
        other = units.filter(
            (pl.col("source") == r["source"])
            & (
                pl.col("group") != r["group"]
                if r["source"] == "corpus"
                else pl.col("unit") != r["unit"]
            )
        )
        if other.height == 0:
            continue
        j = int(rng.integers(other.height))
        new_t.append(other["target"][j])
        new_tt.append(other["target_text"][j])
        keep.append(i)
    rows = rows[keep]
    return rows.with_columns(
        pl.Series("target", new_t, pl.String),
        pl.Series("target_text", new_tt, pl.String),
        pl.lit("none").alias("label"),
        (pl.col("id") + "-x").alias("id"),
    )


def all_corpus_targets(corpus_dir: Path = CORPUS_DIR) -> dict[str, Target]:
    """key -> Target over every corpus group (keys are unique across groups)."""
    out: dict[str, Target] = {}
    for g in CORPUS_GROUPS:
        out.update({t.key: t for t in corpus_targets(g, corpus_dir)})
    return out


def model_inputs(df: pl.DataFrame, targets: dict[str, Target]) -> tuple[list[str], list[str]]:
    """(first segments, second segments) the pair model reads: the target text, and the
    text with the target's mentions masked where the target is an entity."""
    seg_a = df["target_text"].to_list()
    seg_b = [
        mask_target(text, targets[key]) if entity and key in targets else text
        for text, key, entity in zip(
            df["text"].to_list(), df["target"].to_list(), df["entity"].to_list(), strict=True
        )
    ]
    return seg_a, seg_b
