"""Human names for models, modules and parameters: ``model.encoder.fc1.weight``.

A model's name is the variable that holds it in the user's code when one can be found
(``net``, ``generator``), else ``model``.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping, Sequence
from inspect import CO_OPTIMIZED
from types import FrameType

from torch import nn
from torch.optim import Optimizer

_SKIP_PREFIXES = ("torch", "nndoctor", "contextlib", "functools", "runpy")
_PREFERRED = ("model", "net", "network")
#: Names this short are usually loop variables (``for m in models``): a place in a container
#: (``models[1]``, ``ensemble.2``) says more.
_LOOP_NAME_LENGTH = 2
#: Containers longer than this are not searched (a list of batches is not a list of models).
_MAX_CONTAINER = 256


def variable_names_of(obj: object, frame: FrameType | None = None, depth: int = 40) -> list[str]:
    """Names of the variables holding ``obj`` in the innermost user frame that has one, best first.

    Best is ``model``/``net``/``network``, then the longest name: ``generator`` rather than the
    loop variable ``m`` that happens to hold it too. A model reached only through a container
    (``for m in models: m(x)``, members of an ``nn.ModuleList`` called one by one, a submodule
    called on its own) is named by its place there, ``models[1]`` or ``ensemble.2``, unless a
    variable with a real name holds it too.
    """
    frame = frame or sys._getframe(1)
    while frame is not None and depth > 0:
        modname = frame.f_globals.get("__name__", "")
        if not modname.startswith(_SKIP_PREFIXES):
            local_vars = frame.f_locals  # read once: on Python < 3.13 each read re-copies the frame
            try:
                found = _names_in(obj, local_vars, frame.f_globals)
            finally:
                _release_locals(frame, local_vars)
            if found:
                return found
        frame = frame.f_back
        depth -= 1
    return []


def _names_in(obj: object, local_vars: Mapping[str, object], global_vars: Mapping[str, object]) -> list[str]:
    """The names of one frame's variables holding ``obj`` (its locals, else its globals), best
    first; places in containers first when the best name looks like a loop variable."""
    names = [k for k, v in local_vars.items() if v is obj and not k.startswith("_") and k != "self"]
    if not names:
        names = [k for k, v in global_vars.items() if v is obj and not k.startswith("_")]
    names.sort(key=lambda n: (n not in _PREFERRED, -len(n), n))
    if not names or (names[0] not in _PREFERRED and len(names[0]) <= _LOOP_NAME_LENGTH):
        places = _places_in_containers(obj, (local_vars, global_vars))
        if places:
            return [*places, *names]
    return names


def _release_locals(frame: FrameType, snapshot: Mapping[str, object]) -> None:
    """Drop the models from the snapshot of a function frame's variables that reading
    ``frame.f_locals`` leaves on the frame (Python < 3.13): it would keep a model the script
    replaces later (a k-fold loop's previous fold) alive until something reads the variables
    again, and its optimizer with it. Python refreshes the snapshot from the frame before any
    tracer can write it back, so this changes no variable; only models and optimizers are
    dropped (the snapshot is also what ``locals()`` returned, should the script hold on to it).
    From 3.13 ``f_locals`` is a live view that holds nothing (and deleting from it would delete
    the variables); module and class bodies keep their real namespace."""
    if sys.version_info < (3, 13) and frame.f_code.co_flags & CO_OPTIMIZED and isinstance(snapshot, dict):
        for k in [k for k, v in snapshot.items() if isinstance(v, (nn.Module, Optimizer))]:
            del snapshot[k]


def _places_in_containers(obj: object, scopes: tuple[Mapping[str, object], ...]) -> list[str]:
    """Where ``obj`` sits in the containers the variables of ``scopes`` hold (the first scope with
    any): ``models[1]``, ``heads['age']``, ``ensemble.2`` (an ``nn.Module``'s submodule), shortest
    first."""
    places: list[str] = []
    for scope in scopes:
        for k, v in scope.items():
            if k.startswith("_") or v is obj:
                continue
            if isinstance(v, (list, tuple)) and len(v) <= _MAX_CONTAINER:
                places.extend(f"{k}[{i}]" for i, item in enumerate(v) if item is obj)
            elif isinstance(v, dict) and len(v) <= _MAX_CONTAINER:
                places.extend(f"{k}[{key!r}]" for key, item in v.items() if item is obj and isinstance(key, (str, int)))
            elif isinstance(v, nn.Module):
                places.extend(f"{k}.{path}" for path, m in v.named_modules() if m is obj and path)
        if places:
            break
    return sorted(set(places), key=lambda p: (len(p), p))


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
        #: id(module) -> ids of the parameters named under it, forgotten with it: a parameter that
        #: outlives its model (an optimizer built before the model was re-created holds it) has
        #: no name, as the replaced layers' parameters have none (``_drop_tree``).
        self._module_params: dict[int, list[int]] = {}
        self.roots: list[weakref.ref[nn.Module]] = []
        #: A weak reference per named module and parameter whose callback forgets its id when it
        #: dies: ids are reused, and a k-fold loop's next model often gets its predecessor's ids.
        self._watchers: dict[int, weakref.ref] = {}

    def _watch(self, obj: object) -> None:
        key = id(obj)
        if key not in self._watchers:
            self._watchers[key] = weakref.ref(obj, lambda _, key=key: self._forget(key))

    def _forget(self, key: int) -> None:
        for table in (self._module_names, self._root_of, self._param_names, self._param_module, self._watchers):
            table.pop(key, None)
        for pid in self._module_params.pop(key, ()):
            ref = self._param_module.get(pid)
            if ref is not None and ref() is None:  # (not a parameter re-registered under a live module)
                self._param_names.pop(pid, None)
                self._param_module.pop(pid, None)

    def knows(self, module: nn.Module) -> bool:
        return id(module) in self._module_names

    def add_root(self, root: nn.Module, preferred: str | Sequence[str] | None = None) -> str:
        """Register a model; its submodules and parameters get names under it.

        ``preferred`` is a name or candidate names, best first; the first one no other live model
        has is used, else the type's name (``sequential``, ``sequential2``...).
        """
        if self.knows(root):
            name = self._module_names[id(root)]
            self._drop_tree(root)  # re-registered: its layers may have changed since
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
            self._watch(sub)
            owned = self._module_params[id(sub)] = []
            for p_name, p in sub.named_parameters(recurse=False):
                self._param_names[id(p)] = f"{full}.{p_name}"
                self._param_module[id(p)] = weakref.ref(sub)
                owned.append(id(p))
                self._watch(p)
        return name

    def _drop_tree(self, root: nn.Module) -> None:
        """Forget the names of every module and parameter registered under ``root``: a layer
        replaced after registration (``model.head = nn.Linear(...)``) must not leave its old
        parameters answering to the new layer's names (an optimizer built before the swap still
        holds them, and they would pass for the model's)."""
        under = [key for key, ref in self._root_of.items() if ref() is root]
        modules = set(under)
        for key in under:
            name = self._module_names.pop(key, None)
            held = self._modules.get(name) if name is not None else None
            if held is not None and id(held) == key:
                del self._modules[name]
            self._root_of.pop(key, None)
            self._module_params.pop(key, None)
        for key in [k for k, ref in self._param_module.items() if ref() is None or id(ref()) in modules]:
            self._param_names.pop(key, None)
            self._param_module.pop(key, None)
        self.roots = [r for r in self.roots if r() is not None and r() is not root]

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
