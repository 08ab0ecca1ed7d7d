"""Validating stance against human coding: coding sheets, agreement figures, baselines.

Figures come from scikit-learn (accuracy, F1, Cohen's kappa) and the ``krippendorff``
package (alpha, nominal), not hand-written formulas. ``Favg`` is the SemEval-2016 Task 6
measure: the mean of the F1 of ``favor`` and of ``against`` (neutral/none count only
through the errors they cause).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from ...comments.errors import InputError
from ..sentiment.vader import score_text, split_sentences
from .rules import LABELS
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


# ---------------------------------------------------------------- metrics


def agreement(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Accuracy, macro-F1 (labels seen in either), Favg (SemEval-2016) and Cohen's kappa."""
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    gold, pred = list(gold), list(pred)
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return {
            "n": 0,
            "accuracy": float("nan"),
            "macro_f1": float("nan"),
            "favg": float("nan"),
            "kappa": float("nan"),
        }
    seen = [lab for lab in LABELS if lab in gold or lab in pred]
    kappa = cohen_kappa_score(gold, pred, labels=seen) if len(set(gold) | set(pred)) > 1 else 1.0
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(f1_score(gold, pred, labels=seen, average="macro", zero_division=0)),
        "favg": float(
            f1_score(gold, pred, labels=["favor", "against"], average="macro", zero_division=0)
        ),
        "kappa": float(kappa),
    }


def krippendorff_alpha(codings: Sequence[Sequence[str | None]]) -> float:
    """Krippendorff's alpha (nominal) for several coders' labels of the same units.

    ``codings[c][u]`` is coder c's label for unit u, or None when c did not code u.
    """
    import krippendorff

    codes = {lab: i for i, lab in enumerate(LABELS)}
    data = np.array(
        [[codes[x] if x is not None else np.nan for x in row] for row in codings], dtype=float
    )
    values = data[~np.isnan(data)]
    if values.size == 0 or np.unique(values).size < 2:
        return 1.0 if values.size else float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def agreement_table(
    gold: pl.DataFrame, pred: pl.DataFrame, targets: Sequence[Target], *, name: str = "method"
) -> pl.DataFrame:
    """Per target (and pooled 'all'): n, accuracy, macro_f1, favg, kappa of ``pred`` vs ``gold``.

    Both frames hold comment_id and stance_<key>; cells that are null in ``gold`` (not coded)
    are left out for that target.
    """
    joined = gold.select(
        "comment_id", *[pl.col(f"stance_{t.key}").alias(f"g_{t.key}") for t in targets]
    ).join(
        pred.select(
            "comment_id", *[pl.col(f"stance_{t.key}").alias(f"p_{t.key}") for t in targets]
        ),
        on="comment_id",
        how="inner",
    )
    rows, all_g, all_p = [], [], []
    for t in targets:
        pairs = joined.select(f"g_{t.key}", f"p_{t.key}").drop_nulls(f"g_{t.key}")
        g = pairs[f"g_{t.key}"].to_list()
        p = [x or "none" for x in pairs[f"p_{t.key}"].to_list()]
        all_g += g
        all_p += p
        rows.append({"model": name, "target": t.key, **agreement(g, p)})
    rows.append({"model": name, "target": "all", **agreement(all_g, all_p)})
    return pl.DataFrame(rows).with_columns(pl.col("n").cast(pl.Int64))


def inter_coder(codings: Sequence[pl.DataFrame], targets: Sequence[Target]) -> pl.DataFrame:
    """Agreement between coders: per target Krippendorff's alpha (all coders) and, for
    each pair, Cohen's kappa and raw agreement."""
    ids = sorted(set.intersection(*[set(c["comment_id"].to_list()) for c in codings]))
    rows = []
    for t in targets:
        col = f"stance_{t.key}"
        labels = [
            dict(zip(c["comment_id"].to_list(), c[col].to_list(), strict=True)) for c in codings
        ]
        matrix = [[lab.get(i) for i in ids] for lab in labels]
        row = {"target": t.key, "n": len(ids), "alpha": krippendorff_alpha(matrix)}
        if len(codings) == 2:
            both = [(a, b) for a, b in zip(*matrix, strict=True) if a and b]
            stats = agreement([a for a, _ in both], [b for _, b in both])
            row.update(
                kappa=stats["kappa"], percent_agreement=stats["accuracy"], favg=stats["favg"]
            )
        rows.append(row)
    return pl.DataFrame(rows)


def bootstrap_interval(
    gold: pl.DataFrame,
    pred: pl.DataFrame,
    targets: Sequence[Target],
    metric: str = "favg",
    n_boot: int = 1000,
    level: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a pooled metric, resampling comments (all targets
    of a comment travel together, since they share one reader and one text)."""
    cols = [f"stance_{t.key}" for t in targets]
    joined = gold.select("comment_id", *cols).join(
        pred.select("comment_id", *[pl.col(c).alias(f"p_{c}") for c in cols]),
        on="comment_id",
        how="inner",
    )
    g = joined.select(cols).to_numpy()
    p = joined.select([f"p_{c}" for c in cols]).fill_null("none").to_numpy()
    rng = np.random.default_rng(random_state)
    stats = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(g), len(g))
        gg, pp = g[idx].ravel(), p[idx].ravel()
        keep = np.array([x is not None for x in gg])
        stats.append(agreement(list(gg[keep]), list(pp[keep]))[metric])
    lo, hi = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


# ---------------------------------------------------------------- baselines


def baseline_always(df: pl.DataFrame, targets: Sequence[Target], label: str = "against"):
    """Every comment gets ``label`` for every target (the 'always against' baseline)."""
    return df.select("comment_id", *[pl.lit(label).alias(f"stance_{t.key}") for t in targets])


def baseline_vader(
    df: pl.DataFrame, targets: Sequence[Target], threshold: float = 0.05
) -> pl.DataFrame:
    """VADER compound averaged over the sentences that name the target: >= threshold favor,
    <= -threshold against, else neutral; a target never named is none."""
    out: dict[str, list[str]] = {f"stance_{t.key}": [] for t in targets}
    for text in df["text"].to_list():
        sentences = split_sentences(text or "")
        for t in targets:
            named = [s for s in sentences if t.pattern.search(s)]
            if not named:
                out[f"stance_{t.key}"].append("none")
                continue
            mean = sum(score_text(s)["compound"] for s in named) / len(named)
            out[f"stance_{t.key}"].append(
                "favor" if mean >= threshold else "against" if mean <= -threshold else "neutral"
            )
    return df.select("comment_id").with_columns(
        pl.Series(k, v, dtype=pl.String) for k, v in out.items()
    )


# ---------------------------------------------------------------- coding sheets


def codebook_sheet(df: pl.DataFrame, targets: Sequence[Target] | None = None) -> pl.DataFrame:
    """The coding sheet: comment_id, position, user, text, one empty column per target,
    notes, and the instructions (in the first row's ``instructions`` cell)."""
    targets = targets or load_targets()
    n = df.height
    cols = [
        df["comment_id"],
        df["position"] if "position" in df.columns else pl.Series("position", range(1, n + 1)),
        df["user"] if "user" in df.columns else pl.Series("user", [None] * n, pl.String),
        df["text"],
    ]
    sheet = pl.DataFrame(cols).with_columns(
        *[pl.lit(None, pl.String).alias(f"stance_{t.key}") for t in targets],
        pl.lit(None, pl.String).alias("notes"),
        pl.Series("instructions", [SHEET_INSTRUCTIONS] + [None] * max(n - 1, 0), pl.String)
        if n
        else pl.Series("instructions", [], pl.String),
    )
    return sheet


def write_codebook(df: pl.DataFrame, path: str | Path, targets=None) -> Path:
    """Write the coding sheet CSV (and the codebook beside it, ``<name>.guidelines.md``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    codebook_sheet(df, targets).write_csv(path)
    guide = path.with_name(path.stem + ".guidelines.md")
    guide.write_text(
        f"# Coding instructions\n\n{SHEET_INSTRUCTIONS}\n\n"
        + GUIDELINES.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
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


# ---------------------------------------------------------------- the seed-thread report


def ablation(
    comments: pl.DataFrame,
    gold: pl.DataFrame,
    config=None,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Pooled agreement of the rule method with each ``use_*`` switch (and quote
    exclusion, clause scope) turned off in turn, plus the full method first."""
    import dataclasses

    from .rules import StanceConfig, add_stance

    config = config or StanceConfig()
    targets = load_targets(config.targets_path)
    variants = [("full method", config)]
    for f in dataclasses.fields(config):
        if f.name.startswith("use_") or f.name in ("exclude_quotes", "clause_scope"):
            variants.append((f"without {f.name}", dataclasses.replace(config, **{f.name: False})))
    variants.append(("with vader_weight=0.5", dataclasses.replace(config, vader_weight=0.5)))
    rows = []
    for name, cfg in variants:
        table = agreement_table(gold, add_stance(comments, cfg, articles), targets, name=name)
        rows.append(table.filter(pl.col("target") == "all"))
    return pl.concat(rows).drop("target")


def seed_report(supervised: bool = False) -> dict[str, pl.DataFrame]:
    """Every figure docs/stance.md reports for the seed thread, recomputed.

    Keys: 'method' (rules vs reference), 'baselines', 'second_coder' (the second coding
    scored like a method), 'inter_coder', 'ablation', 'favg_95ci' (bootstrap over
    comments, 1000 resamples, seed 0), and with ``supervised``
    'supervised' (leave-one-out, with and without embeddings).
    """
    from ...comments import read_thread
    from .rules import StanceConfig, add_stance

    thread = read_thread()
    comments = thread.comments
    articles = {thread.thread_id: thread.article_text or ""}
    targets = load_targets()
    ref = reference_coding(comments, targets)
    sec = second_coding(comments, targets)
    method = add_stance(comments, StanceConfig(), articles)
    report = {
        "method": agreement_table(ref, method, targets, name="rules"),
        "baselines": pl.concat(
            [
                agreement_table(
                    ref, baseline_always(comments, targets), targets, name="always against"
                ),
                agreement_table(
                    ref,
                    baseline_vader(comments, targets),
                    targets,
                    name="VADER on target sentences",
                ),
            ]
        ),
        "second_coder": agreement_table(ref, sec, targets, name="second coder"),
        "inter_coder": inter_coder([ref, sec], targets),
        "ablation": ablation(comments, ref, StanceConfig(), articles),
    }
    intervals = []
    for name, pred in [
        ("rules", method),
        (
            "rules, generic lexicon only",
            add_stance(comments, StanceConfig(use_seed_cues=False), articles),
        ),
        ("VADER on target sentences", baseline_vader(comments, targets)),
    ]:
        lo, hi = bootstrap_interval(ref, pred, targets, "favg")
        intervals.append({"model": name, "favg_low": lo, "favg_high": hi})
    report["favg_95ci"] = pl.DataFrame(intervals)
    if supervised:
        from .supervised import SupervisedConfig, cross_validate_stance

        tables = []
        for name, cfg in [
            ("supervised LOO (MiniLM + rules)", SupervisedConfig()),
            ("supervised LOO (rules only)", SupervisedConfig(use_embeddings=False)),
            ("supervised LOO (MiniLM only)", SupervisedConfig(use_rules=False)),
        ]:
            _, table = cross_validate_stance(comments, ref, cfg, articles)
            tables.append(table.with_columns(pl.lit(name).alias("model")))
        report["supervised"] = pl.concat(tables)
    return report
