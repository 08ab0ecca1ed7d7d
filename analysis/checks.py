"""Configuration checks, run when a configuration is built (scikit-learn style).

Every stage's frozen config calls :func:`check_fields` from ``__post_init__``: a value of
the wrong type or outside its choices fails at once, before any stage runs, with the
valid choices in the message. Types come from the dataclass annotations, so a new field
is checked without new code; ranges and choices are declared per field in
``field(metadata=...)`` with :func:`choices` and :func:`at_least`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Sequence
from typing import Any, get_args, get_origin, get_type_hints


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message is one line."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = " ".join(problem.split())
        super().__init__(f"{name}: {self.problem}")

    def under(self, prefix: str) -> ConfigError:
        """The same error named from an enclosing table (``stance.threshold``)."""
        return ConfigError(f"{prefix}.{self.name}" if prefix else self.name, self.problem)


def choices(*allowed: object) -> dict[str, Any]:
    """Field metadata: the value must be one of ``allowed``."""
    return {"choices": allowed}


def at_least(low: float, *, high: float | None = None) -> dict[str, Any]:
    """Field metadata: ``low <= value`` (and ``value <= high`` when given)."""
    return {"low": low, "high": high}


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "none"
    if get_origin(tp) is tuple:
        return "a list"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _matches(value: Any, tp: Any) -> bool:
    """Whether ``value`` fits annotation ``tp`` (bool is not an int here; int is a float)."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, t) for t in get_args(tp))
    if tp is Any:
        return True
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_matches(v, args[0]) for v in value)
        return len(args) == len(value) and all(
            _matches(v, a) for v, a in zip(value, args, strict=True)
        )
    if dataclasses.is_dataclass(tp):
        return isinstance(value, tp)
    return True  # annotations this checker does not model are left to the field's owner


def _describe(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(t) for t in get_args(tp))
    return _type_name(tp)


def check_fields(obj: Any) -> None:
    """Check every field of the dataclass ``obj`` against its annotation and metadata."""
    hints = get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        tp = hints.get(f.name, Any)
        if not _matches(value, tp):
            raise ConfigError(
                f.name, f"must be {_describe(tp)}, got {value!r} ({type(value).__name__})"
            )
        allowed: Sequence[object] | None = f.metadata.get("choices")
        if allowed is not None and value not in allowed:
            raise ConfigError(
                f.name,
                f"{value!r} is not a valid choice; choose one of "
                + ", ".join(repr(a) for a in allowed),
            )
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if value is not None and low is not None and value < low:
            raise ConfigError(f.name, f"must be at least {low}, got {value!r}")
        if value is not None and high is not None and value > high:
            raise ConfigError(f.name, f"must be at most {high}, got {value!r}")
