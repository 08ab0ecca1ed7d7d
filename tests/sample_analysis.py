"""The built-in sample thread, fully analysed once per test session (real stages, real model).

Shared by the figure, summary and notebook tests so the analysis runs once.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from readerscope.analysis.pipeline import AnalysisResult, analyze
from readerscope.analysis.stance.articles import article_stance
from readerscope.comments import Corpus, read_thread
from readerscope.comments.articles import load_sample_articles
from readerscope.figures import FigureInputs
from readerscope.figures.common import PlotTarget


@cache
def sample_result() -> AnalysisResult:
    return analyze(Corpus.from_threads([read_thread(None)]))


@cache
def sample_article_units() -> pl.DataFrame:
    return article_stance(load_sample_articles())


@cache
def sample_inputs() -> FigureInputs:
    result = sample_result()
    return FigureInputs(
        comments=result.comments,
        targets=tuple(PlotTarget(t.key, t.name) for t in result.targets),
        article_units=sample_article_units(),
    )
