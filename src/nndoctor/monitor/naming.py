"""Human names for models, modules and parameters: ``model.encoder.fc1.weight``.

A model's name is the variable that holds it in the user's code when one can be found
(``net``, ``generator``), else ``model``.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Sequence
from types import FrameType

from torch import nn

_SKIP_PREFIXES = ("torch", "nndoctor", "contextlib", "functools", "runpy")
_PREFERRED = ("model", "net", "network")


def variable_names_of(obj: object, frame: FrameType | None = None, depth: int = 40) -> list[str]:
    """Names of the variables holding ``obj`` in the innermost user frame that has one, best first.

    Best is ``model``/``net``/``network``, then the longest name: ``generator`` rather than the
    loop variable ``m`` that happens to hold it too.
    """
    frame = frame or sys._getframe(1)
    while frame is not None and depth > 0:
        modname = frame.f_globals.get("__name__", "")
        if not modname.startswith(_SKIP_PREFIXES):
            names = [k for k, v in frame.f_locals.items() if v is obj and not k.startswith("_") and k != "self"]
            if not names:
                names = [k for k, v in frame.f_globals.items() if v is obj and not k.startswith("_")]
            if names:
                return sorted(names, key=lambda n: (n not in _PREFERRED, -len(n), n))
        frame = frame.f_back
        depth -= 1
    return []


def variable_name_of(obj: object, frame: FrameType | None = None, depth: int = 40) -> str | None:
    """The best name of a variable that holds ``obj`` in the calling user code, or None."""
    names = variable_names_of(obj, frame or sys._getframe(1), depth)
    return names[0] if names else None


class ModuleNames:
    """Maps modules and parameters of registered models to dotted names."""

    def __init__(self) -> None:
        self._module_names: dict[int, str] = {}
        self._modules: weakref.WeakValueDictionary[str, nn.Module] = weakref.WeakValueDictionary()
        self._root_of: dict[int, weakref.ref[nn.Module]] = {}
        self._param_names: dict[int, str] = {}
        self._param_module: dict[int, weakref.ref[nn.Module]] = {}
        self.roots: list[weakref.ref[nn.Module]] = []

    def knows(self, module: nn.Module) -> bool:
        return id(module) in self._module_names

    def add_root(self, root: nn.Module, preferred: str | Sequence[str] | None = None) -> str:
        """Register a model; its submodules and parameters get names under it.

        ``preferred`` is a name or candidate names, best first; the first one no other live model
        has is used, else the type's name (``sequential``, ``sequential2``...).
        """
        if self.knows(root):
            name = self._module_names[id(root)]
        else:
            candidates = [preferred] if isinstance(preferred, str) else list(preferred or ())
            taken = {self._module_names.get(id(m)) for m in self.live_roots()}
            name = next((c for c in candidates if c not in taken), candidates[0] if candidates else "model")
            if name in taken:
                base = type(root).__name__.lower()
                name, n = base, 1
                while name in taken:
                    n += 1
                    name = f"{base}{n}"
        self.roots.append(weakref.ref(root))
        ref = weakref.ref(root)
        for sub_name, sub in root.named_modules():
            full = f"{name}.{sub_name}" if sub_name else name
            self._module_names[id(sub)] = full
            self._modules[full] = sub
            self._root_of[id(sub)] = ref
            for p_name, p in sub.named_parameters(recurse=False):
                self._param_names[id(p)] = f"{full}.{p_name}"
                self._param_module[id(p)] = weakref.ref(sub)
        return name

    def name_of(self, module: nn.Module) -> str:
        return self._module_names.get(id(module)) or type(module).__name__

    def root_of(self, module: nn.Module) -> nn.Module | None:
        ref = self._root_of.get(id(module))
        return ref() if ref is not None else None

    def parent_of(self, module: nn.Module) -> nn.Module | None:
        name = self._module_names.get(id(module))
        if not name or "." not in name:
            return None
        return self._modules.get(name.rsplit(".", 1)[0])

    def module(self, name: str) -> nn.Module | None:
        return self._modules.get(name)

    def param_name(self, param: object) -> str | None:
        return self._param_names.get(id(param))

    def param_module(self, param: object) -> nn.Module | None:
        ref = self._param_module.get(id(param))
        return ref() if ref is not None else None

    def live_roots(self) -> list[nn.Module]:
        seen, out = set(), []
        for r in self.roots:
            m = r()
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                out.append(m)
        return out
