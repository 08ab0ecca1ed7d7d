"""A small hand-labelled comment table shared by the conversation and network tests."""

from __future__ import annotations

import polars as pl
from readerscope.comments.schema import conform

# (comment, user, reply_to, stance_us, stance_china, sentiment) -- written by hand.
ROWS = [
    ("c1", "ann", None, "favor", "against", 0.5),
    ("c2", "bob", "c1", "against", "against", -0.5),
    ("c3", "cat", "c2", "favor", "none", 0.1),
    ("c4", "ann", "c3", "favor", "neutral", 0.3),
    ("c5", None, "article", "none", "favor", 0.0),
    ("c6", "bob", None, "against", "none", -0.2),
    ("c7", "dan", "c6", "neutral", "favor", 0.4),
    ("c8", "cat", "c4", "none", "none", 0.0),
]


def hand_table() -> pl.DataFrame:
    df = pl.DataFrame(
        {
            "thread_id": ["t"] * len(ROWS),
            "comment_id": [r[0] for r in ROWS],
            "position": list(range(1, len(ROWS) + 1)),
            "user": [r[1] for r in ROWS],
            "text": ["..."] * len(ROWS),
            "reply_to": [r[2] for r in ROWS],
            "stance_us": [r[3] for r in ROWS],
            "stance_china": [r[4] for r in ROWS],
            "sentiment_compound": [r[5] for r in ROWS],
        }
    )
    return conform(df)
