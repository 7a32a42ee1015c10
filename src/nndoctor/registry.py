"""The rule registry: one new check is one new file with ``@register``.

Built-in rules register exactly as a third party's would: a package can expose more rules
through the ``nndoctor.rules`` entry-point group (each entry point names a module to import).
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from nndoctor.rules.base import Rule

#: Keyed by the class's dotted path: a live rule and an ``examine`` rule may report the same id.
_RULES: dict[str, type[Rule]] = {}
_LOADED = False
R = TypeVar("R", bound="type[Rule]")


def register(cls: R) -> R:
    """Class decorator that adds a rule to the registry under its ``id``."""
    rule_id = getattr(cls, "id", None)
    if not rule_id:
        raise ValueError(f"{cls.__name__} has no 'id': give the rule the diagnosis id it reports")
    _RULES[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import nndoctor.rules as pkg

    for info in pkgutil.walk_packages(pkg.__path__, prefix="nndoctor.rules."):
        importlib.import_module(info.name)
    for ep in entry_points(group="nndoctor.rules"):
        try:
            ep.load()
        except Exception as exc:  # a broken plugin must not break nndoctor
            warnings.warn(f"nndoctor: could not load rule plugin {ep.name!r}: {exc}", stacklevel=2)


def rule_classes() -> dict[str, type[Rule]]:
    """Every registered rule class by dotted path."""
    _load()
    return dict(_RULES)


def make_rules(ignore: set[str] | frozenset[str] = frozenset(), live_only: bool = False) -> list[Rule]:
    """Instances of every registered rule except the ignored ids."""
    return [cls() for _, cls in sorted(rule_classes().items()) if cls.id not in ignore and (cls.live or not live_only)]
