"""Topics stage: BERTopic (or its small-corpus replica) over comment embeddings."""

from .model import TopicConfig, add_topics, fit_topics

__all__ = ["TopicConfig", "add_topics", "fit_topics"]
