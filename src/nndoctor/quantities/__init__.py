"""Named measurements. Each file is one quantity; rules declare which they read by name."""

from __future__ import annotations

import importlib
import pkgutil

from nndoctor.quantities.base import Context, Quantity

_QUANTITIES: dict[str, type[Quantity]] = {}
_LOADED = False


def register_quantity(cls: type[Quantity]) -> type[Quantity]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no 'name'")
    _QUANTITIES[cls.name] = cls
    return cls


def quantity_classes() -> dict[str, type[Quantity]]:
    """Every quantity class by name (imports the built-in ones on first use)."""
    global _LOADED
    if not _LOADED:  # not "if not _QUANTITIES": importing one quantity module must not hide the others
        _LOADED = True
        for info in pkgutil.iter_modules(__path__):
            if info.name != "base":
                importlib.import_module(f"{__name__}.{info.name}")
    return dict(_QUANTITIES)


__all__ = ["Context", "Quantity", "quantity_classes", "register_quantity"]
