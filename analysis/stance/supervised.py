"""Supervised stance: when a researcher has hand-coded comments, learn from them.

One logistic-regression classifier per target (scikit-learn, class-balanced, L2) on:
MiniLM embeddings of the comment's own words and of the sentences naming the target,
plus the rule method's outputs (signed score, named-or-not, label one-hot) so the model
starts from the rules and learns where the coder departs from them. Cross-validated
figures (leave-one-out by default, the honest choice for a few dozen coded comments)
come from :func:`cross_validate_stance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..columns import STANCE_LABELS as LABELS
from ..context import StageContext
from ..embeddings import EmbeddingConfig, embed
from ..text.sentences import split_sentences
from .agreement import agreement_table
from .own_words import own_lines
from .rules import RuleConfig
from .stage import StanceConfig, add_stance
from .targets import Target, load_targets


@dataclass(frozen=True)
class SupervisedConfig:
    """Supervised stance settings.

    use_embeddings / use_rules: feature groups (for ablation).
    rule_scale: multiplier on the rule features so the 4-7 of them are not drowned by the
        768 embedding dimensions under one L2 penalty.
    C: inverse regularisation strength of the logistic regression.
    cv_folds: 0 = leave-one-out; k > 1 = stratified-where-possible k-fold (seeded).
    """

    stance: StanceConfig = field(
        default_factory=lambda: StanceConfig(method="rules", rules=RuleConfig(use_seed_cues=True))
    )
    embedding: EmbeddingConfig = field(default_factory=lambda: EmbeddingConfig(backend="minilm"))
    use_embeddings: bool = True
    use_rules: bool = True
    rule_scale: float = 3.0
    C: float = 0.1
    cv_folds: int = 0
    random_state: int = 0


@dataclass(frozen=True)
class StanceModel:
    """Fitted per-target classifiers (a constant label where the coding has one class)."""

    config: SupervisedConfig
    targets: tuple[Target, ...]
    models: Mapping[str, object]  # key -> fitted LogisticRegression or a constant label
    n_train: int


def stance_features(
    df: pl.DataFrame,
    targets: Sequence[Target],
    config: SupervisedConfig,
    articles: Mapping[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """target key -> feature matrix (one row per comment of ``df``, in order)."""
    ruled = add_stance(df, config.stance, context=StageContext(articles=articles or {}))
    texts = df["text"].fill_null("").to_list()
    threads = df["thread_id"].to_list() if "thread_id" in df.columns else [None] * len(texts)
    articles = articles or {}
    own = [
        own_lines(text, (), articles.get(thread or ""))
        for text, thread in zip(texts, threads, strict=True)
    ]
    whole = [" ".join(lines) for lines in own]
    out: dict[str, np.ndarray] = {}
    whole_vec = embed(whole, config.embedding) if config.use_embeddings else None
    for t in targets:
        blocks: list[np.ndarray] = []
        if config.use_embeddings and whole_vec is not None:
            named = [
                [s for ln in lines for s in split_sentences(ln) if t.pattern.search(s)]
                for lines in own
            ]
            flat = [s for ss in named for s in ss]
            vecs = embed(flat, config.embedding) if flat else np.zeros((0, whole_vec.shape[1]))
            target_vec = np.zeros_like(whole_vec)
            k = 0
            for i, ss in enumerate(named):
                if ss:
                    target_vec[i] = vecs[k : k + len(ss)].mean(axis=0)
                    k += len(ss)
            blocks += [whole_vec, target_vec]
        if config.use_rules:
            labels = ruled[f"stance_{t.key}"].to_list()
            score = ruled[f"stance_{t.key}_score"].to_numpy()
            onehot = np.array([[lab == c for c in LABELS] for lab in labels], dtype=float)
            blocks.append(config.rule_scale * np.column_stack([score, onehot]))
        if not blocks:
            raise ValueError("SupervisedConfig enables no feature group")
        out[t.key] = np.hstack(blocks).astype(np.float64)
    return out


def _fit(x: np.ndarray, y: Sequence[str], config: SupervisedConfig):
    from sklearn.linear_model import LogisticRegression

    if len(set(y)) < 2:
        return y[0]
    clf = LogisticRegression(
        C=config.C, class_weight="balanced", max_iter=5000, random_state=config.random_state
    )
    return clf.fit(x, list(y))


def _predict(model, x: np.ndarray) -> tuple[list[str], np.ndarray]:
    if isinstance(model, str):
        return [model] * len(x), np.ones(len(x))
    proba = model.predict_proba(x)
    best = proba.argmax(axis=1)
    return [str(model.classes_[b]) for b in best], proba[np.arange(len(x)), best]


def _coded(df: pl.DataFrame, coding: pl.DataFrame, key: str) -> tuple[np.ndarray, list[str]]:
    labels = dict(
        zip(coding["comment_id"].to_list(), coding[f"stance_{key}"].to_list(), strict=True)
    )
    rows = [i for i, cid in enumerate(df["comment_id"].to_list()) if labels.get(cid)]
    return np.array(rows, dtype=int), [labels[df["comment_id"][i]] for i in rows]


def train_stance(
    df: pl.DataFrame,
    coding: pl.DataFrame,
    config: SupervisedConfig | None = None,
    articles: Mapping[str, str] | None = None,
) -> StanceModel:
    """Fit one classifier per target on the comments of ``df`` that ``coding`` labels."""
    config = config or SupervisedConfig()
    targets = load_targets(config.stance.targets_path)
    feats = stance_features(df, targets, config, articles)
    models = {}
    n = 0
    for t in targets:
        rows, y = _coded(df, coding, t.key)
        if not y:
            raise ValueError(f"the coding labels no comment of this table for {t.key!r}")
        models[t.key] = _fit(feats[t.key][rows], y, config)
        n = max(n, len(y))
    return StanceModel(config, targets, models, n)


def predict_stance(
    df: pl.DataFrame, model: StanceModel, articles: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """``df`` plus the stance columns, decided by ``model``.

    stance_<key>_score is P(label) signed (+ favor, - against, 0 neutral/none);
    stance_<key>_evidence is 'model:<label>:p=<probability>'.
    """
    feats = stance_features(df, model.targets, model.config, articles)
    cols = []
    for t in model.targets:
        labels, proba = _predict(model.models[t.key], feats[t.key])
        sign = [1.0 if lab == "favor" else -1.0 if lab == "against" else 0.0 for lab in labels]
        cols += [
            pl.Series(f"stance_{t.key}", labels, pl.String),
            pl.Series(
                f"stance_{t.key}_score",
                [round(s * p, 4) for s, p in zip(sign, proba, strict=True)],
                pl.Float64,
            ),
            pl.Series(
                f"stance_{t.key}_evidence",
                [f"model:{lab}:p={p:.2f}" for lab, p in zip(labels, proba, strict=True)],
                pl.String,
            ),
        ]
    return df.with_columns(cols)


class NotEnoughCoding(ValueError):
    """The coding cannot cross-validate the supervised model for any target."""


def _why_not(labels: Sequence[str], folds: int) -> str | None:
    """Why these coded labels of one target cannot be cross-validated (None: they can)."""
    if not labels:
        return "no coded comment"
    if len(labels) < max(2, folds):
        return f"{len(labels)} coded comment(s), fewer than the {max(2, folds)} needed"
    if len(set(labels)) < 2:
        return f"all {len(labels)} coded comments are {labels[0]!r}"
    return None


def cross_validation_targets(
    df: pl.DataFrame, coding: pl.DataFrame, targets: Sequence[Target], folds: int = 0
) -> tuple[tuple[Target, ...], dict[str, str]]:
    """The targets ``coding`` can cross-validate on ``df``, and why each other one cannot.

    A target needs at least two coded comments (``folds`` for k-fold) with at least two
    different labels: a model shown one label has nothing to learn. NotEnoughCoding when
    no target qualifies, naming each target's reason.
    """
    usable, skipped = [], {}
    for t in targets:
        why = _why_not(_coded(df, coding, t.key)[1], folds if folds > 1 else 0)
        if why is None:
            usable.append(t)
        else:
            skipped[t.key] = why
    if not usable:
        raise NotEnoughCoding(
            "the supervised model cannot be cross-validated: "
            + "; ".join(f"{k}: {w}" for k, w in skipped.items())
            + ". Code at least two comments of one target with two different labels"
        )
    return tuple(usable), skipped


def cross_validate_stance(
    df: pl.DataFrame,
    coding: pl.DataFrame,
    config: SupervisedConfig | None = None,
    articles: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Out-of-fold predictions for every coded comment, and their agreement table.

    Only the targets :func:`cross_validation_targets` accepts are cross-validated (and
    listed); NotEnoughCoding when there are none. Features do not depend on the labels
    (rules and embeddings are fixed), so computing them once is leak-free; only the
    classifier is refitted per fold.
    """
    from sklearn.model_selection import KFold, LeaveOneOut

    config = config or SupervisedConfig()
    targets, _ = cross_validation_targets(
        df, coding, load_targets(config.stance.targets_path), config.cv_folds
    )
    feats = stance_features(df, targets, config, articles)
    ids = df["comment_id"].to_list()
    pred: dict[str, dict[str, str]] = {}
    for t in targets:
        rows, y = _coded(df, coding, t.key)
        y_arr = np.array(y, dtype=object)
        splitter = (
            LeaveOneOut()
            if config.cv_folds <= 1
            else KFold(config.cv_folds, shuffle=True, random_state=config.random_state)
        )
        out = {}
        for train, test in splitter.split(rows):
            model = _fit(feats[t.key][rows[train]], list(y_arr[train]), config)
            labels, _ = _predict(model, feats[t.key][rows[test]])
            for r, lab in zip(rows[test], labels, strict=True):
                out[ids[r]] = lab
        pred[t.key] = out
    coded_ids = [cid for cid in ids if any(cid in pred[t.key] for t in targets)]
    frame = pl.DataFrame(
        {"comment_id": coded_ids}
        | {f"stance_{t.key}": [pred[t.key].get(c) for c in coded_ids] for t in targets},
        schema={"comment_id": pl.String} | {f"stance_{t.key}": pl.String for t in targets},
    )
    return frame, agreement_table(coding, frame, targets, name="supervised-cv")


def add_supervised_stance(
    df: pl.DataFrame,
    coding: pl.DataFrame,
    config: SupervisedConfig | None = None,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Train on the comments ``coding`` labels, then label every comment of ``df``.

    Coded comments get the model's in-sample labels; use :func:`cross_validate_stance`
    for honest figures.
    """
    return predict_stance(df, train_stance(df, coding, config, articles), articles)
