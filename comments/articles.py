"""Sample articles: other outlets' coverage of the sample thread's story, as a table.

The built-in sample thread (Japan Today, AP story "Threatened by Trump tariffs, Japan
walks delicate tightrope between U.S. and China") comes with four articles from other
outlets on the same story (``samples/articles/``, copied unchanged from the project's
seed files 000-003). They let a researcher put the framing of the coverage beside the
readers' stance (figure 6). Outlet names are given only where the text itself names
the outlet; the others are described, not guessed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from .errors import InputError
from .load import read_thread

if TYPE_CHECKING:
    from .thread import Corpus

ARTICLES_DIR = "samples/articles"

SAMPLE_ARTICLES: dict[str, tuple[str, str]] = {
    # file stem: (short outlet label, provenance as the text shows it)
    "000_917d17120b85c505": (
        "facts.org.cn",
        "commentary from the 'Ting Feng de Chan' account; the text ends "
        "'...do not necessarily reflect those of facts.org.cn'",
    ),
    "001_e05dcb0fa992f6d9": (
        "Newslooks",
        "Newslooks, Washington DC, by Mary Sidiqi (byline in the text)",
    ),
    "002_927448596f21ff95": (
        "Jiang Hua op-ed",
        "opinion piece 'From Leaning to One Side to Balancing' by Jiang Hua; outlet not "
        "named in the text (page header shows Tokyo weather)",
    ),
    "003_240da347a3250368": (
        "report citing Bloomberg",
        "news report 'as per Bloomberg'; outlet not named in the text",
    ),
}
"""Provenance of each shipped article (seed file stem -> label, what the text shows)."""

AP_ID = "ap_japantoday_750057"
ARTICLE_SCHEMA = {
    c: pl.String for c in ("article_id", "outlet", "source_file", "provenance", "text")
}

_MIN_CHARS = 60
_MIN_WORDS = 8


def paragraphs(text: str) -> list[str]:
    """Body paragraphs of a scraped article page: one per line, page furniture dropped.

    Lines shorter than 60 characters or 8 words (menus, bylines, 'Previous Article',
    ratings widgets, weather headers) and exact repeats (titles shown twice) are not
    body text and are skipped.
    """
    out: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        para = " ".join(line.split())
        if len(para) < _MIN_CHARS or len(para.split()) < _MIN_WORDS or para in seen:
            continue
        seen.add(para)
        out.append(para)
    return out


def load_sample_articles(include_thread_article: bool = True) -> pl.DataFrame:
    """The sample articles, one row each: article_id, outlet, source_file, provenance, text.

    ``include_thread_article`` adds the AP article that heads the sample thread (parsed
    from the thread file), so the host outlet can be compared with the others.
    """
    base = resources.files("readerscope.comments").joinpath(ARTICLES_DIR)
    rows = []
    if include_thread_article:
        thread = read_thread(None)
        rows.append(
            {
                "article_id": AP_ID,
                "outlet": "AP (Japan Today)",
                "source_file": "samples/japantoday_750057.txt",
                "provenance": "the AP article heading the sample Japan Today thread",
                "text": thread.article_text or "",
            }
        )
    for stem, (outlet, provenance) in SAMPLE_ARTICLES.items():
        text = base.joinpath(f"{stem}.txt").read_text(encoding="utf-8")
        rows.append(
            {
                "article_id": stem,
                "outlet": outlet,
                "source_file": f"{ARTICLES_DIR}/{stem}.txt",
                "provenance": provenance,
                "text": text,
            }
        )
    return pl.DataFrame(rows, schema=ARTICLE_SCHEMA)


def article_paragraphs(articles: pl.DataFrame) -> pl.DataFrame:
    """One row per body paragraph: article_id, outlet, paragraph (1-based), text."""
    rows = [
        {"article_id": a["article_id"], "outlet": a["outlet"], "paragraph": i, "text": p}
        for a in articles.iter_rows(named=True)
        for i, p in enumerate(paragraphs(a["text"]), start=1)
    ]
    schema = {
        "article_id": pl.String,
        "outlet": pl.String,
        "paragraph": pl.Int32,
        "text": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def thread_articles(corpus: Corpus) -> pl.DataFrame:
    """Each thread's own article (when its input holds one), in the article table shape."""
    rows = [
        {
            "article_id": f"{r['thread_id']}-article",
            "outlet": (r["title"] or r["thread_id"])[:40],
            "source_file": r["source"],
            "provenance": "article text at the head of the thread input",
            "text": r["article_text"],
        }
        for r in corpus.threads.iter_rows(named=True)
        if r["article_text"]
    ]
    return pl.DataFrame(rows, schema=ARTICLE_SCHEMA)


def read_article_files(paths: list[Path]) -> pl.DataFrame:
    """Article text files (one article each) in the article table shape; InputError when a
    file is missing or not UTF-8 text."""
    rows = []
    for path in paths:
        if not path.is_file():
            raise InputError(path, "article file not found")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(path, "article file is not UTF-8 text") from None
        rows.append(
            {
                "article_id": path.stem,
                "outlet": path.stem[:40],
                "source_file": str(path),
                "provenance": "--articles file",
                "text": text,
            }
        )
    return pl.DataFrame(rows, schema=ARTICLE_SCHEMA)
