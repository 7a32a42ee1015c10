"""vanishing-gradients: early layers' gradients orders of magnitude below later layers'."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import AFFINE_TYPES, layers, loss_improvement, param_shapes, update_ratios

FIX = (
    "Let gradients reach the early layers: ReLU-family activations instead of sigmoid/tanh between "
    "layers, He/Kaiming initialisation, normalisation layers or residual connections:\n"
    "```\nnn.Sequential(nn.Linear(d, d), nn.BatchNorm1d(d), nn.ReLU())   # instead of nn.Linear(d, d), nn.Sigmoid()\n```"
)
SATURATING = frozenset({"Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Softsign", "LogSigmoid"})


@dataclass(frozen=True)
class LayerGradient:
    """One affine layer's gradient relative to its weights (median over the sampled steps)."""

    name: str
    type: str
    relative: float
    #: Median update/weight ratio over the same steps (None when updates were not measured).
    update: float | None = None


#: A weight norm below this share of its latest value is still growing from a (near-)zero
#: start: an output layer initialised to zero (the identity start of residual branches and
#: normalising flows) has a huge ``||grad|| / ||W||`` and blocks the gradient of the layers
#: before it until it has grown, so those steps say nothing about depth.
ESTABLISHED_WEIGHTS = 0.1


def layer_gradients(view, model_layers: list[dict]) -> list[LayerGradient]:
    """Relative gradient ``||grad|| / ||W||`` of each affine layer, in forward order.

    Only weight matrices/kernels count (norm scales and biases have no depth story), and
    embeddings are left out: their gradient touches only the rows a batch looked up. The median
    is taken over the sampled steps at which every layer's weight norm was at least
    ``ESTABLISHED_WEIGHTS`` of its latest value.
    """
    shapes = param_shapes(view)
    by_module: dict[str, list[str]] = {}
    for key in view.keys("param_grad_norm"):
        if len(shapes.get(key, ())) >= 2:
            by_module.setdefault(key.rsplit(".", 1)[0], []).append(key)
    measured: list[tuple[dict, dict[int, float], dict[int, float]]] = []
    established: set[int] | None = None
    for layer in model_layers:
        keys = by_module.get(layer["name"])
        if layer.get("type") not in AFFINE_TYPES or not keys:
            continue
        g2 = w2 = None
        for key in keys:
            g = view.series("param_grad_norm", key)
            w = view.series("param_norm", key)
            if len(g) != len(w) or len(g) == 0:
                break
            steps = g.steps
            g2 = g.values**2 if g2 is None else g2 + g.values**2
            w2 = w.values**2 if w2 is None else w2 + w.values**2
        else:
            ok = (w2 > 0) & np.isfinite(g2) & np.isfinite(w2)
            if ok.sum() < 3:
                continue
            latest = float(w2[ok][-1])
            grown = ok & (w2 >= ESTABLISHED_WEIGHTS**2 * latest)
            rel = dict(zip(steps[ok].tolist(), np.sqrt(g2[ok] / w2[ok]).tolist(), strict=True))
            updates: dict[int, list[float]] = {}
            for key in keys:
                u = view.series("update_ratio", key)
                for t, v in zip(u.steps.tolist(), u.values.tolist(), strict=True):
                    if math.isfinite(v):
                        updates.setdefault(t, []).append(v)
            measured.append((layer, rel, {t: float(np.mean(v)) for t, v in updates.items()}))
            ready = set(steps[grown].tolist())
            established = ready if established is None else established & ready
    common = established if established and len(established) >= 3 else None
    out = []
    for layer, rel, updates in measured:
        values = [v for t, v in rel.items() if common is None or t in common]
        if len(values) < 3:
            values = list(rel.values())  # too few common steps: every measured one
        moved = [v for t, v in updates.items() if common is None or t in common]
        update = float(np.median(moved)) if len(moved) >= 3 else None
        out.append(LayerGradient(layer["name"], layer["type"], float(np.median(values)), update))
    return out


@register
class VanishingGradients(Rule):
    """Early layers' gradients are orders of magnitude below later layers'.

    What it detects:
        For each model, the gradient of every affine layer (Linear, Conv, RNN) relative to its
        weights, ``||grad|| / ||W||``, median over the sampled steps, in forward order. It
        reports when the first layer's is below ``ratio`` (1e-3) times the last layer's, or
        below ``stalled_ratio`` (1e-2) times while the loss has improved by less than
        ``stalled_improvement`` after ``min_steps`` steps. Embeddings (sparse gradients),
        normalisation scales and biases are left out, and so are the steps at which a layer's
        weights were still growing from a zero start (an output layer initialised to zero, the
        identity start of flows and residual branches). The first layer's updates must be small
        too: an optimizer that rescales gradients per parameter (Adam, RMSprop) moves early
        layers at the same pace whatever their gradient's size. Runs whose first updates moved the weights
        by 30% of their norm are left to lr-too-high: their gradients vanish because the weights
        were wrecked, not because of depth. It is an error when the loss has stalled too (the
        model learns next to nothing: a deep sigmoid stack), a warning when the rest learns.
    Why it matters:
        A layer whose gradient is 1000x smaller than the last layer's learns 1000x slower with
        SGD: the early layers stay at their random initialisation and the network acts as a
        shallow one on random features. Each sigmoid multiplies the gradient by at most 0.25,
        so ten of them cost six orders of magnitude.
    Fix:
        ReLU-family activations instead of sigmoid/tanh in hidden layers, He initialisation,
        batch/layer normalisation, residual connections, or a shallower network.
    """

    id = "vanishing-gradients"
    severity = Severity.WARNING
    title = "Vanishing gradients"
    requires = frozenset({"param_stats", "structure", "activations"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def __init__(
        self,
        ratio: float = 1e-3,
        stalled_ratio: float = 1e-2,
        stalled_improvement: float = 0.1,
        min_layers: int = 3,
        min_steps: int = 50,
    ) -> None:
        if not 0 < ratio <= stalled_ratio < 1:
            raise ValueError(f"need 0 < ratio <= stalled_ratio < 1, got ratio={ratio}, stalled_ratio={stalled_ratio}")
        if min_layers < 2:
            raise ValueError(f"min_layers must be at least 2 (a first and a last layer), got {min_layers}")
        self.ratio = ratio
        self.stalled_ratio = stalled_ratio
        self.stalled_improvement = stalled_improvement
        self.min_layers = min_layers
        self.min_steps = min_steps

    def check(self, view):
        for model, model_layers in layers(view).items():
            grads = layer_gradients(view, model_layers)
            if len(grads) < self.min_layers:
                continue
            first, last = grads[0], grads[-1]
            if not (last.relative > 0 and first.relative > 0 and math.isfinite(first.relative)):
                continue  # an exactly zero gradient is blocked, not vanishing: dead-relu or params-without-grad
            ratio = first.relative / last.relative
            # One loss for one optimizer: with several (a GAN) the summed loss says nothing about progress.
            improvement = self._improvement(view) if len(view.keys("grad_norm")) == 1 else None
            stalled = improvement is not None and improvement < self.stalled_improvement
            if ratio >= self.stalled_ratio or (ratio >= self.ratio and not stalled):
                continue
            if ratio >= self.ratio and self._mostly_dead(view):
                continue  # dead ReLUs block the gradient: dead-relu names the cause
            if first.update is not None and last.update and first.update >= self.stalled_ratio * last.update:
                continue  # the optimizer rescales gradients (Adam, RMSprop): the early layers still move
            if self._huge_first_updates(view):
                continue  # updates as large as the weights wreck them: lr-too-high names the cause
            weak = [g for g in grads if g.relative < self.stalled_ratio * last.relative]
            evidence = {
                "model": model,
                "first_layer": first.name,
                "first_layer_relative_grad": first.relative,
                "last_layer": last.name,
                "last_layer_relative_grad": last.relative,
                "first_to_last_ratio": ratio,
                "orders_of_magnitude": -math.log10(ratio),
                "layers_measured": len(grads),
                "layers_100x_below_last": [g.name for g in weak],
                "relative_grad_by_layer": {g.name: g.relative for g in grads},
            }
            if improvement is not None:
                evidence["loss_improvement"] = improvement
            if first.update is not None and last.update:
                evidence["first_to_last_update_ratio"] = first.update / last.update
            saturating = self._saturating(model_layers)
            if saturating:
                evidence["saturating_activations"] = saturating
            cause = (
                f" The network has {saturating} sigmoid/tanh-type activations; each scales gradients by at most 0.25-1."
                if saturating
                else ""
            )
            message = (
                f"The first layer {first.name} gets a gradient {ratio:.2g}x the last layer's relative to its weights "
                f"({first.relative:.2g} vs {last.relative:.2g} for {last.name}): {-math.log10(ratio):.1f} orders of "
                f"magnitude lost on the way back through {len(grads)} layers; {len(weak)} layer(s) sit 100x or more "
                "below the last one and barely learn."
                + (f" The loss improved by only {improvement:.0%}." if stalled else "")
                + cause
            )
            # stalled: the model learns (next to) nothing, which breaks training (error); otherwise
            # the early layers starve while the rest learns, which hurts it (warning)
            severity = Severity.ERROR if stalled else None
            yield self.finding(
                message, FIX, where=first.name, step=self._first_step(view), evidence=evidence, severity=severity
            )

    def _improvement(self, view) -> float | None:
        """Relative drop of the loss since the start, once ``min_steps`` steps have passed."""
        return loss_improvement(view) if view.last_step >= self.min_steps else None

    @staticmethod
    def _saturating(model_layers: list[dict]) -> int:
        return sum(1 for layer in model_layers if layer.get("type") in SATURATING)

    @staticmethod
    def _mostly_dead(view, share: float = 0.5) -> bool:
        """Some ReLU layer outputs zero for most of its units (median over the sampled steps)."""
        for key in view.keys("dead_fraction"):
            s = view.series("dead_fraction", key)
            if len(s) and float(np.median(s.values)) >= share:
                return True
        return False

    @staticmethod
    def _first_step(view) -> int | None:
        keys = view.keys("param_grad_norm")
        s = view.series("param_grad_norm", keys[0]) if keys else None
        return int(s.steps[0]) if s is not None and len(s) else None

    @staticmethod
    def _huge_first_updates(view, ratio: float = 0.3) -> bool:
        """One of the first five sampled updates moved the typical weight by ``ratio`` of its norm."""
        early = update_ratios(view)
        return bool(len(early) and float(early.median[:5].max()) >= ratio)
