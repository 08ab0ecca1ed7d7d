"""The development threads (fixtures/dev_threads, group A) parse exactly, with one stated
tolerance.

Each thread comes with its exact truth (NAME.truth.jsonl, written with the file by
someone else, see the README there). Every field of every comment must match, and the
number of comments must equal the number shown, with one difference of convention:
the truth keeps an opening verbatim quotation of an earlier comment
('"They keep building them." Because ...') in ``text``, while the parser moves it to
``quoted_text`` with the quoted comment's user (the verbatim-quote rule of
docs/ingest.md). Those rows are listed in INLINE_QUOTES; for them the test asserts the
split itself: ``quoted_text`` is the quotation, ``text`` the rest of the truth's text.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pytest
from readerscope.comments import ParseWarning, read_thread

DEV = Path(__file__).parent / "fixtures" / "dev_threads"
THREADS = sorted(p.name.removesuffix(".truth.jsonl") for p in DEV.glob("*.truth.jsonl"))
FIELDS = (
    "user",
    "text",
    "quoted_user",
    "quoted_text",
    "posted_at",
    "score",
    "votes_up",
    "votes_down",
)
INLINE_QUOTES = {
    # thread: {position: quoted user (None in a reader view)}
    "bc01_kyoto_lodging_tax": {21: "SurferDude", 52: "Reality"},
    "bc03_tokaido_shinkansen_rain": {8: "Lantern"},
    "bcf01_typhoon_kyushu_landfall": {53: "Realist"},
}


def _split_inline(truth: dict, quoted_user: str | None) -> dict:
    """The truth row as the verbatim-quote rule splits it."""
    first, _, rest = truth["text"].partition("\n")
    mark = first[0]
    close = {"“": "”"}.get(mark, mark)
    quote, _, after = first[1:].partition(close)
    own = "\n".join(x for x in (after.strip(), rest) if x)
    return {**truth, "text": own, "quoted_text": quote, "quoted_user": quoted_user}


@pytest.mark.parametrize("name", THREADS)
def test_dev_thread_parses_exactly(name: str) -> None:
    meta = json.loads((DEV / f"{name}.meta.json").read_text(encoding="utf-8"))
    truth_lines = (DEV / f"{name}.truth.jsonl").read_text(encoding="utf-8").splitlines()
    truth = [json.loads(x) for x in truth_lines if x]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        t = read_thread(DEV / f"{name}.txt")
    assert t.shape == meta["shape"]
    assert t.declared_count == meta["declared_count"]
    assert t.comments.height == meta["shown_count"] == len(truth)
    assert t.title == meta["title"]
    tolerated = INLINE_QUOTES.get(name, {})
    for row, want in zip(t.comments.to_dicts(), truth, strict=True):
        if want["position"] in tolerated:
            want = _split_inline(want, tolerated[want["position"]])
        assert {k: row[k] for k in FIELDS} == {k: want[k] for k in FIELDS}, want["position"]
    if meta["declared_count"] not in (None, meta["shown_count"]):
        found, declared = meta["shown_count"], meta["declared_count"]
        assert f"parsed {found} comments but the page declares {declared}" in t.warnings


def test_tolerated_rows_are_only_inline_quotes() -> None:
    assert sum(len(v) for v in INLINE_QUOTES.values()) == 4


def test_eval_parsing_scores_the_folder() -> None:
    """benchmarks/eval_parsing.py (to be run on held-out threads) agrees with this test."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "eval_parsing", Path(__file__).parents[1] / "benchmarks" / "eval_parsing.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("eval_parsing", mod)  # dataclasses look their module up
    spec.loader.exec_module(mod)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        scores = [mod.score_file(DEV / name) for name in THREADS]
    assert all(s.exact_but_inline for s in scores)
    assert sum(s.inline for s in scores) == 4
    assert sum(s.user for s in scores) == sum(s.shown for s in scores)
