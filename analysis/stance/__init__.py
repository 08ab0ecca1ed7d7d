"""Stance stage: targets, the rule method, trained models, validation and estimates."""

from .stage import StanceConfig, add_stance
from .targets import Target, load_targets

__all__ = ["StanceConfig", "Target", "add_stance", "load_targets"]
