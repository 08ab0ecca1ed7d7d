"""Containers for parsed input: one thread, or a corpus of threads."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .schema import COMMENT_SCHEMA, THREAD_SCHEMA, conform


@dataclass(frozen=True)
class ParsedThread:
    """A parsed thread: its comment table plus what the page says about the thread."""

    comments: pl.DataFrame
    thread_id: str
    source: str
    shape: str
    declared_count: int | None = None
    title: str | None = None
    article_text: str | None = None
    published: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def info(self) -> pl.DataFrame:
        """This thread as one row of the thread table (schema: THREAD_COLUMNS)."""
        row = {
            "thread_id": self.thread_id,
            "source": self.source,
            "shape": self.shape,
            "title": self.title,
            "article_text": self.article_text,
            "declared_count": self.declared_count,
            "comment_count": self.comments.height,
            "published": self.published,
            "warnings": list(self.warnings),
        }
        return pl.DataFrame([row], schema=THREAD_SCHEMA)

    def report(self) -> str:
        """One-line report: comments found, declared count, shape, warnings."""
        declared = "?" if self.declared_count is None else str(self.declared_count)
        line = (
            f"{self.source}: {self.comments.height} comments found "
            f"(declared {declared}), shape {self.shape}"
        )
        if self.warnings:
            line += f"; {len(self.warnings)} warning(s): " + "; ".join(self.warnings)
        return line


@dataclass(frozen=True)
class Corpus:
    """Several threads analysed together: one comment table, one thread table."""

    comments: pl.DataFrame
    threads: pl.DataFrame

    @classmethod
    def from_threads(cls, threads: list[ParsedThread]) -> Corpus:
        if not threads:
            return cls(pl.DataFrame(schema=COMMENT_SCHEMA), pl.DataFrame(schema=THREAD_SCHEMA))
        comments = pl.concat([conform(t.comments) for t in threads], how="vertical")
        info = pl.concat([t.info() for t in threads], how="vertical")
        return cls(comments, info)

    def _by_thread(self, column: str) -> dict[str, str]:
        return {
            r["thread_id"]: r[column]
            for r in self.threads.select("thread_id", column).iter_rows(named=True)
            if r[column]
        }

    def articles(self) -> dict[str, str]:
        """thread_id -> article text, for threads whose input holds the article."""
        return self._by_thread("article_text")

    def titles(self) -> dict[str, str]:
        """thread_id -> headline, for threads whose input shows one."""
        return self._by_thread("title")
