"""One forward pass and one loss call under the monitor: what the loss receives and what it expects.

The probe runs first; every later experiment relies on what it finds (the task, whether the
loss can be computed at all). It records:

- ``loss_call``, ``structure``, ``linear_chain``, ``output_module``: the monitor's own events for
  this step (which loss function ran, on what, produced by which module; affine layers fed
  straight into affine layers);
- ``loss_probe``: the loss, the task, the range of what the loss received (logits, probabilities
  or log-probabilities; ``prediction_source`` says whether that is the loss function's observed
  input or, when the call was not seen, the model's output) and its shapes (``loss_input_shape``,
  ``loss_target_shape``), the targets' dtype, shape and range, and the loss's error if it raised;
- ``first_layer_input``: the scale of what the first layer actually receives.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nndoctor.errors import BadInput
from nndoctor.experiments.base import Context, Experiment
from nndoctor.experiments.task import infer_task, loss_name
from nndoctor.experiments.training import scalar_loss
from nndoctor.monitor.monitor import Monitor
from nndoctor.quantities._tensors import first_tensor
from nndoctor.quantities.loss_inputs import describe_prediction
from nndoctor.recipe import _one_line
from nndoctor.rules.base import Rule

#: Monitor events worth keeping from the probe step.
KEPT_EVENTS = ("loss_call", "structure", "linear_chain", "output_module", "nonfinite")
NORMALIZERS = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
)
EMBEDDINGS = (nn.Embedding, nn.EmbeddingBag)
#: The facts ``describe_prediction`` gives about a prediction (the monitor's ``loss_call`` has them too).
PREDICTION_KEYS = (
    "finite",
    "min",
    "max",
    "in_unit_interval",
    "zero_share",
    "rows_sum_dev",
    "rows_sum_to_one",
    "rows_logsumexp_dev",
    "rows_are_log_probs",
    "classes",
)


class _Measure(Rule):
    """Not registered: tells the probe's monitor which quantities to measure."""

    id = "probe"
    requires = frozenset({"loss_inputs", "structure"})

    def check(self, view):
        return ()


class ModelProbe(Experiment):
    name = "probe"
    title = "model and loss on one batch"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        r = ctx.recipe
        n = min(len(r.train_x), max(r.batch_size, 64), ctx.budget.probe_examples)
        x, y = r.train_x[:n], r.train_y[:n]
        first: dict[str, Any] = {}
        output, loss_value, loss_error = _observed_step(ctx, x, y, first)
        calls = ctx.trace.view().events("loss_call")
        observed = calls[0].data.get("fn") if calls else None
        loss = loss_name(r.loss_fn, observed)
        task = infer_task(loss, output if output is not None and output.is_floating_point() else None, r.train_y)
        ctx.task = task
        ctx.facts["loss_works"] = loss_error is None and loss_value is not None
        ctx.facts["first_layer"] = first
        data = {
            "loss": loss,
            "loss_source": "unknown" if loss == "unknown" else "observed" if loss == observed else "module",
            "task": task.kind,
            "classes": task.classes,
            "loss_value": loss_value,
            "loss_error": loss_error,
            "ignore_index": getattr(r.loss_fn, "ignore_index", -100),
            "class_weighted": any(getattr(r.loss_fn, k, None) is not None for k in ("weight", "pos_weight")),
            "output_shape": list(output.shape) if output is not None else None,
            "output_dtype": str(output.dtype).replace("torch.", "") if output is not None else None,
            "batch": n,
        }
        # What the loss function received, when the monitor saw the call (a loss_fn may transform the
        # output first: ``F.nll_loss(F.log_softmax(out, 1), y)``, ``F.mse_loss(out.squeeze(1), y)``).
        call = calls[0].data if calls and calls[0].data.get("fn") == loss else None
        received: dict[str, Any] | None = None
        if call is not None:
            received = {k: call[k] for k in PREDICTION_KEYS if k in call}
            data["loss_input_shape"] = call.get("input_shape")
            data["loss_target_shape"] = call.get("target_shape")
            data["prediction_source"] = "loss input"
            if not call.get("producer") and call.get("input_op"):
                data["loss_input_op"] = call["input_op"]  # e.g. a softmax applied in the loss function
        elif output is not None and output.is_floating_point():
            received = describe_prediction(output)
            data["prediction_source"] = "model output"
        if received:
            data.update({f"pred_{k}" if k in ("min", "max", "finite") else k: v for k, v in received.items()})
        data.update(describe_targets(r.train_y))
        producer = calls[0].data if calls else {}
        if not producer.get("producer"):
            outs = ctx.trace.view().events("output_module")
            producer = (
                {"producer": outs[0].data.get("module"), "producer_type": outs[0].data.get("type")} if outs else {}
            )
        for k in ("producer", "producer_type", "producer_dim"):
            if producer.get(k) is not None:
                data[k] = producer[k]
        ctx.event("loss_probe", **data)
        if loss_error is not None and not _explained(data):
            raise BadInput(f"the loss function raised {loss_error} on a batch of {n} training examples")
        if first:
            ctx.event("first_layer_input", **first)
        shown = f"{loss_value:.4g}" if loss_value is not None else f"raised ({loss_error})"
        return f"{task.kind} task, loss {loss}, output {data['output_shape']}, first loss {shown}"


def _observed_step(
    ctx: Context, x: torch.Tensor, y: torch.Tensor, first: dict[str, Any]
) -> tuple[torch.Tensor | None, float | None, str | None]:
    """Forward and loss on one batch under a monitor; its events go into the examination's trace.

    Returns the output tensor, the loss value and the loss's error (if it raised). A model whose
    forward raises is bad input: nothing else can run.
    """
    hooks = [m.register_forward_pre_hook(_first_layer_hook(ctx, first)) for m in ctx.model.modules()]
    monitor: Monitor | None = Monitor([ctx.model], rules=[_Measure()])
    monitor.names.add_root(ctx.model, "model")
    try:
        monitor.start()
    except RuntimeError:  # another monitor is watching (examine inside ``nndoctor run``)
        monitor = None
    loss_value, loss_error, output = None, None, None
    try:
        ctx.model.train()
        try:
            raw = ctx.model(x.to(ctx.device))
        except Exception as exc:
            raise BadInput(
                f"the model raised {type(exc).__name__} on a batch of {len(x)} training inputs of shape "
                f"{tuple(x.shape)}: {_one_line(exc)}"
            ) from None
        output = first_tensor(raw)
        try:
            loss_value = float(scalar_loss(ctx.recipe.loss_fn(raw, y.to(ctx.device))).detach())
        except Exception as exc:
            loss_error = f"{type(exc).__name__}: {_one_line(exc)}"
    finally:
        for h in hooks:
            h.remove()
        if monitor is not None:
            monitor.stop()
    if monitor is not None:
        view = monitor.trace.view()
        for name in KEPT_EVENTS:
            for e in view.events(name):
                ctx.trace.event(e.name, 0, **e.data)
    return output, loss_value, loss_error


def _explained(probe: dict[str, Any]) -> bool:
    """A loss that raised because of a fault the rules report (class index out of range...)."""
    classes = (probe.get("output_shape") or [0, 0])[1] if len(probe.get("output_shape") or []) > 1 else 1
    if probe["loss"] in ("cross_entropy", "nll_loss") and probe.get("target_integer"):
        low, high = probe.get("target_min", 0), probe.get("target_max", 0)
        return high >= classes or (low < 0 and low != probe.get("ignore_index"))
    return False


def describe_targets(y: torch.Tensor) -> dict[str, Any]:
    """dtype, shape, range, integer-valuedness and distinct values of the targets."""
    info: dict[str, Any] = {
        "target_dtype": str(y.dtype).replace("torch.", ""),
        "target_shape": list(y.shape[1:]),
        "target_integer": not y.is_floating_point(),
    }
    if y.numel() == 0:
        return info
    yf = y.detach().double()
    finite = torch.isfinite(yf)
    info["target_nonfinite"] = int((~finite).sum())
    yf = yf[finite]
    if yf.numel() == 0:
        return info
    info["target_min"] = float(yf.min())
    info["target_max"] = float(yf.max())
    info["target_mean"] = float(yf.mean())
    info["target_std"] = float(yf.std()) if yf.numel() > 1 else 0.0
    info["target_integer_valued"] = bool((yf == yf.round()).all())
    info["target_negative_share"] = float((yf < 0).double().mean())
    info["target_outside_unit_share"] = float(((yf < 0) | (yf > 1)).double().mean())
    info["target_outside_pm1_share"] = float((yf.abs() > 1).double().mean())
    distinct = torch.unique(yf[:100_000])
    info["target_distinct"] = int(len(distinct))
    if len(distinct) <= 20:
        info["target_values"] = [float(v) for v in distinct]
    return info


def _first_layer_hook(ctx: Context, first: dict[str, Any]):
    """Records the scale of the first parametrised (or normalising, or embedding) layer's input."""

    def hook(module: nn.Module, args: tuple) -> None:
        if first or list(module.children()):
            return
        if not (
            isinstance(module, NORMALIZERS + EMBEDDINGS) or next(module.parameters(recurse=False), None) is not None
        ):
            return
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if x is None:
            return
        first.update(module=ctx.name_of(module), type=type(module).__name__)
        first["normalizes"] = isinstance(module, NORMALIZERS)
        first["embedding"] = isinstance(module, EMBEDDINGS) or not x.is_floating_point()
        if first["embedding"] or x.numel() == 0:
            return
        first.update(input_scale(x, channels_first=isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d))))

    return hook


@torch.no_grad()
def input_scale(x: torch.Tensor, channels_first: bool = False) -> dict[str, Any]:
    """Overall and per-feature scale of a batch (non-finite values left out)."""
    x = x.detach().double()
    finite = torch.isfinite(x)
    x = torch.where(finite, x, torch.zeros_like(x))
    feats = (
        x.transpose(0, 1).reshape(x.shape[1], -1) if channels_first and x.dim() > 2 else x.reshape(-1, x.shape[-1]).T
    )
    feat_rms = feats.pow(2).mean(dim=1).sqrt()
    feat_std = feats.std(dim=1) if feats.shape[1] > 1 else torch.zeros(len(feats))
    informative = feat_std > 1e-12
    return {
        "rms": float(x.pow(2).mean().sqrt()),
        "mean": float(x.mean()),
        "std": float(x.std()) if x.numel() > 1 else 0.0,
        "absmax": float(x.abs().max()),
        "features": int(len(feats)),
        "feature_rms_max": float(feat_rms.max()),
        "feature_rms_median": float(feat_rms[informative].median()) if bool(informative.any()) else 0.0,
        "feature_std_max": float(feat_std.max()),
        "feature_std_min": float(feat_std[informative].min()) if bool(informative.any()) else 0.0,
        "feature_max": int(feat_rms.argmax()),
    }
