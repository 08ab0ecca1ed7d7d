"""The figures docs/stance.md reports for the sample thread, recomputed in one call."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from .agreement import agreement_table, bootstrap_interval, inter_coder
from .baselines import baseline_always, baseline_vader
from .coding import reference_coding, second_coding
from .targets import load_targets


def ablation(
    comments: pl.DataFrame,
    gold: pl.DataFrame,
    config=None,
    articles: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Pooled agreement of the rule method with each ``use_*`` switch (and quote
    exclusion, clause scope) turned off in turn, plus the full method first."""
    import dataclasses

    from ..context import StageContext
    from .stage import StanceConfig, add_stance

    config = config or StanceConfig()
    targets = config.targets()
    variants = [("full method", config.rules)]
    for f in dataclasses.fields(config.rules):
        if (f.name.startswith("use_") and f.name != "use_cue_index") or f.name in (
            "exclude_quotes",
            "clause_scope",
        ):
            off = dataclasses.replace(config.rules, **{f.name: False})
            variants.append((f"without {f.name}", off))
    variants.append(("with vader_weight=0.5", dataclasses.replace(config.rules, vader_weight=0.5)))
    context = StageContext(articles=articles or {})
    rows = []
    for name, rules in variants:
        cfg = dataclasses.replace(config, rules=rules)
        table = agreement_table(
            gold, add_stance(comments, cfg, context=context), targets, name=name
        )
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
    from ..context import StageContext
    from .rules import RuleConfig
    from .stage import StanceConfig, add_stance

    thread = read_thread()
    comments = thread.comments
    articles = {thread.thread_id: thread.article_text or ""}
    context = StageContext(articles=articles)
    targets = load_targets()
    ref = reference_coding(comments, targets)
    sec = second_coding(comments, targets)
    method = add_stance(comments, StanceConfig(), context=context)
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
            add_stance(
                comments, StanceConfig(rules=RuleConfig(use_seed_cues=False)), context=context
            ),
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
