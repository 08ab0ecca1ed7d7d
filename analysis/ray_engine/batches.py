"""The Ray engine's batch functions: a pyarrow table in, a pyarrow table out, no Ray code.

Why apart from the driver: Ray Data runs these on its workers (module-level, so they
pickle by reference), and they are plain polars around the local stages, so they give
the local engine's values by construction and import nothing of Ray.

The unit of work is a **thread row**: one row per thread (the thread table's columns),
its place in the corpus order (``_file``) and its comments as Arrow IPC bytes
(``_comments``). A batch of thread rows is whole threads, so a stage that reads its
thread (stance, replies) never sees a cut one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import warnings
from collections.abc import Mapping

import polars as pl
import pyarrow as pa

from ...comments import Corpus, ParseWarning, read_corpus, read_thread
from ..config import AnalysisConfig
from ..context import StageContext
from ..embeddings import EmbeddingConfig
from ..pipeline import reply_stage, score_comments
from ..sentiment.vader import sentence_sentiment
from ..topics.config import OUTLIER, OUTLIER_LABEL
from ..topics.model import TopicModel

FILE = "_file"
"""Input file's place in the corpus order (the local engine's file order)."""
COMMENTS = "_comments"
"""A thread's comment rows (schema order, as parsed) as Arrow IPC bytes."""
PATH = "path"
"""Input file of a file row; null for the built-in sample."""


def _read(path: str | None, fmt: str | None) -> Corpus:
    """One file's threads, as the local engine reads them (warnings: the driver's job)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ParseWarning)
        if path is None:
            return Corpus.from_threads([read_thread(None, format=fmt)])
        return read_corpus([path], format=fmt)


def _ipc(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_ipc(buf)
    return buf.getvalue()


def parse_files(batch: pa.Table, fmt: str | None = None) -> pa.Table:
    """File rows (``_file``, ``path``) -> thread rows (thread table + ``_file`` + ``_comments``)."""
    parts = []
    for index, path in pl.from_arrow(batch).select(FILE, PATH).iter_rows():
        corpus = _read(path, fmt)
        blobs = [
            _ipc(corpus.comments.filter(pl.col("thread_id") == tid))
            for tid in corpus.threads["thread_id"].to_list()
        ]
        parts.append(
            corpus.threads.with_columns(
                pl.lit(index, dtype=pl.Int64).alias(FILE),
                pl.Series(COMMENTS, blobs, dtype=pl.Binary),
            )
        )
    return pl.concat(parts, how="vertical").to_arrow()


def thread_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The thread table of thread rows, in corpus order."""
    return rows.sort(FILE, maintain_order=True).drop(FILE, COMMENTS, strict=False)


def thread_stages(batch: pa.Table, config: AnalysisConfig) -> pa.Table:
    """Thread rows -> their analysed comments: sentiment, stance, then replies.

    The same functions as :func:`readerscope.analysis.pipeline.analyze`, inline (Ray is
    the parallelism here), with the context (articles, titles) of these threads.
    """
    rows = pl.from_arrow(batch).sort(FILE, maintain_order=True)
    comments = pl.concat([pl.read_ipc(io.BytesIO(b)) for b in rows[COMMENTS]], how="vertical")
    context = StageContext.from_corpus(
        Corpus(comments, thread_table(rows)), embedding=config.embedding
    )
    inline = dataclasses.replace(config, run=dataclasses.replace(config.run, n_jobs=1))
    df = score_comments(comments, inline, context=context)
    if config.stages.replies:
        df = reply_stage(df, inline, context=context)
    return df.to_arrow()


def _has_words(text: str | None) -> bool:
    """Whether the topic stage fits on this text (the local rule: ``text.strip()``)."""
    return bool(text and text.strip())


def count_texts(batch: pa.Table) -> pa.Table:
    """One row: how many comments of the batch have words (topics count only those)."""
    n = sum(map(_has_words, batch.column("text").to_pylist()))
    return pa.table({"n": pa.array([n], pa.int64())})


def sample_key(comment_id: str, seed: int) -> int:
    """A comment's place in the seeded topic sample (smallest first): a hash of its id, so
    the sample depends on the seed and the ids, never on partitions or workers.

    >>> sample_key("t1-c1", 42) == sample_key("t1-c1", 42) != sample_key("t1-c1", 7)
    True
    """
    digest = hashlib.blake2b(f"{seed}\x00{comment_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def sample_candidates(batch: pa.Table, seed: int, cutoff: int) -> pa.Table:
    """Comments with words whose sample key is below ``cutoff`` (id, text, key)."""
    rows = [
        (cid, text, key)
        for cid, text in zip(
            batch.column("comment_id").to_pylist(), batch.column("text").to_pylist(), strict=True
        )
        if _has_words(text) and (key := sample_key(cid, seed)) < cutoff
    ]
    ids, texts, keys = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        {
            "comment_id": pa.array(ids, pa.large_string()),
            "text": pa.array(texts, pa.large_string()),
            "key": pa.array(keys, pa.uint64()),
        }
    )


def choose_sample(candidates: pl.DataFrame, size: int) -> pl.DataFrame:
    """The ``size`` candidates with the smallest keys, kept in corpus (collection) order."""
    ranked = candidates.with_row_index("_order").sort("key").head(size)
    return ranked.sort("_order").select("comment_id", "text")


def assign_topics(
    batch: pa.Table,
    model: TopicModel,
    assigned: Mapping[str, int],
    embedding: EmbeddingConfig,
) -> pa.Table:
    """``topic`` and ``topic_label``: the fitted topic of a sampled comment, else the model's
    ``transform`` (the nearest fitted topic)."""
    df = pl.from_arrow(batch)
    topic = [assigned.get(cid) for cid in df["comment_id"].to_list()]
    todo = [i for i, t in enumerate(topic) if t is None]
    if todo:
        found = model.transform(df[todo], context=StageContext(embedding=embedding))
        for i, t in zip(todo, found["topic"].to_list(), strict=True):
            topic[i] = t
    return df.with_columns(
        pl.Series("topic", topic, dtype=pl.Int32),
        pl.Series("topic_label", [model.labels[t] for t in topic], dtype=pl.String),
    ).to_arrow()


def sentences(batch: pa.Table, config: AnalysisConfig) -> pa.Table:
    """The sentence table of a batch of comments (per comment: any batch will do)."""
    return sentence_sentiment(pl.from_arrow(batch), config.sentiment).to_arrow()


def resized_topics(table: pl.DataFrame, topic: pl.Series) -> pl.DataFrame:
    """The topic table with ``size`` counted over every comment (not only the sample);
    an outlier row is added when only the assignment produced outliers."""
    counts = topic.value_counts(name="n").rename({topic.name: "topic"})
    if OUTLIER in counts["topic"].to_list() and OUTLIER not in table["topic"].to_list():
        extra = {
            "representative_ids": "",
            "topic": OUTLIER,
            "label": OUTLIER_LABEL,
            "size": 0,
            "top_words": "",
        }
        table = pl.concat([table, pl.DataFrame([extra], schema=table.schema)], how="vertical")
    return (
        table.join(counts.cast({"topic": pl.Int32}), on="topic", how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int32).alias("size"))
        .drop("n")
        .sort("topic")
    )
