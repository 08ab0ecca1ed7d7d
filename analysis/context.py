"""What a stage may know beyond its own rows: the run's shared, read-only context.

Stages are ``add_<stage>(df, config, *, context) -> df``: the table, the stage's own
frozen config, and this context (articles and titles per thread, the one embedding
setting). Nothing else reaches a stage: no globals, no environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .embeddings.config import EmbeddingConfig

if TYPE_CHECKING:
    from ..comments import Corpus


@dataclass(frozen=True)
class StageContext:
    """Per-run inputs shared by the stages.

    articles / titles: thread_id -> article body / headline (stance skips pasted article
        sentences; replies recognise quotes of either as answers to the article).
    embedding: how texts are embedded, for every stage that embeds.

    >>> StageContext().article("t1") is None
    True
    """

    articles: Mapping[str, str] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)

    @classmethod
    def from_corpus(
        cls, corpus: Corpus, *, embedding: EmbeddingConfig | None = None
    ) -> StageContext:
        """The context of a parsed corpus (its articles and titles)."""
        return cls(corpus.articles(), corpus.titles(), embedding or EmbeddingConfig())

    def article(self, thread_id: str | None) -> str | None:
        """The article text of a thread, if the input held one."""
        return self.articles.get(thread_id or "")
