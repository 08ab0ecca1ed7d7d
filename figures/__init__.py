"""Publication figures: one function per figure, each returning a matplotlib Figure.

Every figure ``xxx(df, ...)`` has a ``xxx_data(df, ...)`` returning exactly the numbers it
plots; :func:`save_figure` writes PDF/SVG/PNG plus that table (CSV) and a manifest.
"""

from .catalog import FIGURE_NAMES, FIGURES, FigureInputs, FigureSpec, render_figures
from .framing import article_framing, article_framing_data
from .replies import reply_network, reply_network_data
from .save import FORMATS, parse_formats, save_figure
from .sentiment import (
    sentiment_by_stance,
    sentiment_by_stance_data,
    sentiment_distribution,
    sentiment_distribution_data,
)
from .stance import stance_distribution, stance_distribution_data, user_stances
from .style import paper_style
from .threads import stance_by_thread, stance_by_thread_data
from .topics import topic_sizes, topic_sizes_data, topic_stance, topic_stance_data
from .users import stance_by_user, stance_by_user_data

__all__ = [
    "FIGURES",
    "FIGURE_NAMES",
    "FORMATS",
    "FigureInputs",
    "FigureSpec",
    "article_framing",
    "article_framing_data",
    "paper_style",
    "parse_formats",
    "render_figures",
    "reply_network",
    "reply_network_data",
    "save_figure",
    "sentiment_by_stance",
    "sentiment_by_stance_data",
    "sentiment_distribution",
    "sentiment_distribution_data",
    "stance_by_thread",
    "stance_by_thread_data",
    "stance_by_user",
    "stance_by_user_data",
    "stance_distribution",
    "stance_distribution_data",
    "topic_sizes",
    "topic_sizes_data",
    "topic_stance",
    "topic_stance_data",
    "user_stances",
]
