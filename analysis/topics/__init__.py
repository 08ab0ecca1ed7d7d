"""Topics stage: BERTopic (or its small-corpus replica) over comment embeddings."""

from .config import OUTLIER, TopicConfig
from .model import TopicModel, add_topics, fit_topic_model, fit_topics
from .tables import topics_by_stance

__all__ = [
    "OUTLIER",
    "TopicConfig",
    "TopicModel",
    "add_topics",
    "fit_topic_model",
    "fit_topics",
    "topics_by_stance",
]
