"""Recipes for ``nndoctor examine``: load ``recipe.py``, call ``recipe()``, check what it returned.

A recipe is the smallest description of a training run (CONTRACT.md): a freshly initialised
model, a loss function, an optimizer factory, the training data and optionally validation data.
Everything a user can get wrong here is reported as :class:`~nndoctor.errors.BadInput`, one line
that names the problem, never a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nndoctor.errors import BadInput

REQUIRED = ("model", "loss_fn", "optimizer", "train")
DEFAULT_BATCH_SIZE = 32
#: A dataset is read into memory up to this many examples (a seeded random subset beyond).
MAX_EXAMPLES = 10_000

OptimizerFactory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]


@dataclass
class Recipe:
    """A validated recipe: tensors in memory, ready for the experiments."""

    model: nn.Module
    loss_fn: Callable[[Any, torch.Tensor], torch.Tensor]
    make_optimizer: OptimizerFactory
    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor | None = None
    val_y: torch.Tensor | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    source: str = "recipe()"
    #: Examples in the data the recipe gave, before any subsampling to ``MAX_EXAMPLES``.
    train_size: int = 0
    val_size: int = 0

    @property
    def has_val(self) -> bool:
        return self.val_x is not None


def load_recipe(path: str | Path) -> Recipe:
    """Import ``path``, call its ``recipe()`` and validate the result (raises :class:`BadInput`)."""
    p = Path(path)
    if not p.exists():
        raise BadInput(f"no such recipe file: {path}")
    if p.is_dir() or p.suffix not in (".py", ""):
        raise BadInput(f"{path} is not a Python recipe file")
    module = _import(p)
    factory = getattr(module, "recipe", None)
    if factory is None:
        raise BadInput(f"{path} does not define recipe() (it must return a dict: {', '.join(REQUIRED)})")
    if not callable(factory):
        raise BadInput(f"{path}: recipe is not a function")
    try:
        spec = factory()
    except BadInput:
        raise
    except Exception as exc:
        raise BadInput(f"recipe() in {path} raised {type(exc).__name__}: {_one_line(exc)}") from None
    return recipe_from_dict(spec, source=f"recipe() in {path}")


def _import(p: Path) -> Any:
    name = f"_nndoctor_recipe_{abs(hash(str(p.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:
        raise BadInput(f"{p} is not a Python recipe file")
    module = importlib.util.module_from_spec(spec)
    folder = str(p.resolve().parent)
    sys.path.insert(0, folder)  # a recipe may import helpers that sit beside it
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise BadInput(f"{p} is not valid Python: {exc.msg} (line {exc.lineno})") from None
    except Exception as exc:
        raise BadInput(f"importing {p} raised {type(exc).__name__}: {_one_line(exc)}") from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    return module


def recipe_from_dict(spec: Any, source: str = "recipe()") -> Recipe:
    """Validate a recipe dict (CONTRACT.md) and read its data into tensors."""
    if isinstance(spec, Recipe):
        return spec
    if not isinstance(spec, dict):
        raise BadInput(f"{source} must return a dict, got {type(spec).__name__}")
    missing = [k for k in REQUIRED if k not in spec]
    if missing:
        raise BadInput(f"{source} is missing {', '.join(repr(k) for k in missing)} (required: {', '.join(REQUIRED)})")
    model = spec["model"]
    if not isinstance(model, nn.Module):
        raise BadInput(f"{source}: 'model' must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(spec["loss_fn"]):
        raise BadInput(
            f"{source}: 'loss_fn' must be callable (output, target) -> loss, got {type(spec['loss_fn']).__name__}"
        )
    make_optimizer = spec["optimizer"]
    if isinstance(make_optimizer, torch.optim.Optimizer):
        raise BadInput(
            f"{source}: 'optimizer' must be a factory, e.g. lambda params: torch.optim.Adam(params, lr=1e-3)"
        )
    if not callable(make_optimizer):
        raise BadInput(f"{source}: 'optimizer' must be callable params -> torch.optim.Optimizer")
    if not any(p.requires_grad for p in model.parameters()):
        raise BadInput(f"{source}: the model has no trainable parameters")
    _check_factory(make_optimizer, model, source)
    batch_size = spec.get("batch_size", DEFAULT_BATCH_SIZE)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise BadInput(f"{source}: 'batch_size' must be a positive int, got {batch_size!r}")
    train_x, train_y, train_size = read_data(spec["train"], f"{source}: 'train'")
    val_x = val_y = None
    val_size = 0
    if spec.get("val") is not None:
        val_x, val_y, val_size = read_data(spec["val"], f"{source}: 'val'")
        if val_x.shape[1:] != train_x.shape[1:]:
            raise BadInput(
                f"{source}: 'val' inputs have shape {tuple(val_x.shape[1:])} per example, 'train' {tuple(train_x.shape[1:])}"
            )
    return Recipe(
        model=model,
        loss_fn=spec["loss_fn"],
        make_optimizer=make_optimizer,
        train_x=train_x,
        train_y=train_y,
        val_x=val_x,
        val_y=val_y,
        batch_size=batch_size,
        source=source,
        train_size=train_size,
        val_size=val_size,
    )


def _check_factory(factory: OptimizerFactory, model: nn.Module, source: str) -> None:
    try:
        opt = factory(model.parameters())
    except Exception as exc:
        raise BadInput(f"{source}: optimizer(params) raised {type(exc).__name__}: {_one_line(exc)}") from None
    if not isinstance(opt, torch.optim.Optimizer):
        raise BadInput(f"{source}: optimizer(params) must return a torch.optim.Optimizer, got {type(opt).__name__}")


def read_data(data: Any, what: str, limit: int = MAX_EXAMPLES) -> tuple[torch.Tensor, torch.Tensor, int]:
    """``(X, y)`` tensors, a map-style Dataset or a DataLoader, as two tensors of equal length."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and not isinstance(data, torch.utils.data.Dataset):
        x, y = (_as_tensor(v, what) for v in data)
        if x.dim() == 0 or y.dim() == 0:
            raise BadInput(f"{what}: inputs and targets need a first (example) dimension")
        if len(x) != len(y):
            raise BadInput(f"{what} has {len(x)} inputs but {len(y)} targets (they must have the same length)")
        if len(x) == 0:
            raise BadInput(f"{what} is empty")
        n = len(x)
        if n > limit:
            idx = torch.randperm(n, generator=torch.Generator().manual_seed(0))[:limit].sort().values
            x, y = x[idx], y[idx]
        return x, y, n
    if isinstance(data, torch.utils.data.DataLoader):
        return _from_loader(data, what, limit)
    if isinstance(data, torch.utils.data.Dataset):
        return _from_dataset(data, what, limit)
    raise BadInput(f"{what} must be (X, y) tensors or a torch Dataset, got {type(data).__name__}")


def _as_tensor(value: Any, what: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach()
    try:
        return torch.as_tensor(value)
    except Exception:
        raise BadInput(f"{what} must hold tensors (or arrays), got {type(value).__name__}") from None


def _pair(item: Any, what: str, i: int) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise BadInput(f"{what}: example {i} is not an (x, y) pair (got {type(item).__name__})")
    return _as_tensor(item[0], what), _as_tensor(item[1], what)


def _from_dataset(ds: Any, what: str, limit: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    try:
        n = len(ds)
    except TypeError:  # an IterableDataset: take the first examples
        items = []
        for i, item in enumerate(ds):
            if i >= limit:
                break
            items.append(_pair(item, what, i))
        n = len(items)
    else:
        idx = (
            range(n)
            if n <= limit
            else torch.randperm(n, generator=torch.Generator().manual_seed(0))[:limit].sort().values.tolist()
        )
        try:
            items = [_pair(ds[i], what, i) for i in idx]
        except BadInput:
            raise
        except Exception as exc:
            raise BadInput(f"{what}: reading an example raised {type(exc).__name__}: {_one_line(exc)}") from None
    if not items:
        raise BadInput(f"{what} is empty")
    return _stack(items, what) + (n,)


def _from_loader(loader: Any, what: str, limit: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    xs, ys, n = [], [], 0
    try:
        for i, batch in enumerate(loader):
            x, y = _pair(batch, what, i)
            xs.append(x)
            ys.append(y)
            n += len(x)
            if n >= limit:
                break
    except BadInput:
        raise
    except Exception as exc:
        raise BadInput(f"{what}: iterating the DataLoader raised {type(exc).__name__}: {_one_line(exc)}") from None
    if not xs:
        raise BadInput(f"{what} is empty")
    try:
        return torch.cat(xs), torch.cat(ys), n
    except RuntimeError as exc:
        raise BadInput(f"{what}: batches cannot be joined ({_one_line(exc)})") from None


def _stack(items: list[tuple[torch.Tensor, torch.Tensor]], what: str) -> tuple[torch.Tensor, torch.Tensor]:
    try:
        return torch.stack([x for x, _ in items]), torch.stack([y for _, y in items])
    except RuntimeError as exc:
        raise BadInput(f"{what}: examples differ in shape ({_one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
