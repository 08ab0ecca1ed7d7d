"""Paper style: one place for fonts, sizes and the colour-blind-safe palette.

Figures are sized for a single journal column (3.35 in) at 8 pt text so they can be
placed at 100 % without rescaling; two-column figures use ``DOUBLE_COLUMN``. Colours
come from the Okabe-Ito palette, which stays distinguishable under the common colour
vision deficiencies, and each stance always has the same colour in every figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl

from ..analysis.columns import NOT_ADDRESSED

SINGLE_COLUMN = 3.35
"""Width in inches of one column in most two-column journals."""
DOUBLE_COLUMN = 6.9
"""Width in inches of a full-width (two-column) figure."""


STANCE_COLORS: dict[str, str] = {
    "against": "#D55E00",  # Okabe-Ito vermillion
    "neutral": "#BBBBBB",  # grey: no hue, so it never reads as a side
    "favor": "#0072B2",  # Okabe-Ito blue
    "none": "#F0F0F0",
}
"""Fixed colour per stance value (vermillion/blue is a CB-safe diverging pair)."""

ACCENT = "#333333"
"""Colour for single-series marks (histograms, bar totals)."""
MUTED = "#999999"
"""Colour for reference marks and de-emphasised categories (outlier topic)."""

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.titlesize": 8,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "lines.linewidth": 1.0,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,  # embed TrueType so text stays editable in Illustrator/Inkscape
    "ps.fonttype": 42,
    "svg.fonttype": "none",  # keep text as text in SVG
    "svg.hashsalt": "readerscope",  # fixed ids => byte-identical SVG across runs
    "path.simplify": True,
}
"""rcParams of the paper style (applied in a context, never globally)."""


@contextmanager
def paper_style() -> Iterator[None]:
    """Apply the paper style for the duration of the block (no global state is changed)."""
    with mpl.rc_context(RC):
        yield


def stance_color(stance: str) -> str:
    """Colour of a stance value; unknown values get the 'none' colour."""
    return STANCE_COLORS.get(stance, STANCE_COLORS[NOT_ADDRESSED])


def diverging_cmap() -> mpl.colors.Colormap:
    """Against (vermillion) -> white -> favor (blue), matching the stance colours."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "readerscope_stance", [STANCE_COLORS["against"], "#FFFFFF", STANCE_COLORS["favor"]]
    )
