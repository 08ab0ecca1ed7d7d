"""Replies stage: who answers whom, conversation and user tables, networks, ConvoKit export."""

from .inference import ReplyConfig, add_replies

__all__ = ["ReplyConfig", "add_replies"]
