"""exploding-gradients: the gradient norm spikes far above its usual level."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import (
    clipping_suffices,
    divergence_step,
    first_nonfinite_step,
    gradient_spikes,
    layers,
    optimizer_configs,
)
from nndoctor.rules.loss.lr_too_high import growth_before

RECURRENT = frozenset({"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"})
#: Optimizers that divide each update by a running RMS of the gradients: a spike of 10-20x moves
#: the weights by only 2-3x a usual step (Adam: m gains 0.1 g, sqrt(v) grows with sqrt(0.001) g),
#: so only a spike of ``huge`` x, which also inflates v for hundreds of steps, is reported there.
ADAPTIVE = frozenset({"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "SparseAdam"})

FIX = (
    "Clip the gradient norm between backward() and step() (for RNNs a max_norm of 0.25-5 is usual):\n"
    "```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
)


@register
class ExplodingGradients(Rule):
    """The gradient norm spikes far above its running median.

    What it detects:
        Steps whose global gradient norm is at least ``factor`` times both its median over the
        previous 50 steps and its median over the run, while the loss of that step did not blow
        up with it (that would be divergence: see lr-too-high). It reports one spike of
        ``huge`` x or more, or ``min_spikes`` spikes (with an adaptive optimizer such as Adam
        or RMSprop only a ``huge`` one: it divides each update by a running RMS of the
        gradient, so a 10-20x spike moves the weights by a few usual steps). Norms sitting at
        a clipping ceiling are ignored (a run that clips with ``clip_grad_norm_`` never
        reports), and so are spikes
        from the step the loss first reached 3x its start (the aftermath of divergence:
        lr-too-high) or first went NaN/Inf (a log of a negative value drives the gradient up
        as it approaches: nonfinite-loss). Except for a recurrent model whose run blew up (NaN,
        or a loss 10x its start) when the end-of-run probe re-trained its first steps from the
        same initial weights at the user's own rate with the gradient norm clipped at 1 and
        they were clean (error): the gradients exploded through time, and clipping, not a rate
        hundreds of times smaller, is the fix (lr-too-high then defers).
    Why it matters:
        A spike multiplies that step's update by the same factor and throws the weights far
        from where training had brought them: the loss jumps, or the run ends in NaN. It is
        the classic failure of recurrent networks (gradients multiplied through time by
        recurrent weights with spectral radius above 1), also seen in deep nets without
        normalisation.
    Fix:
        Clip the gradient norm before the optimizer step
        (``torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)``); for RNNs also consider
        LSTM/GRU cells, a smaller recurrent initialisation, or a lower learning rate.
    """

    id = "exploding-gradients"
    severity = Severity.WARNING
    title = "Exploding gradients"
    requires = frozenset({"grad_norm", "param_stats", "structure", "lr_probe"})

    def __init__(self, factor: float = 10.0, huge: float = 100.0, min_spikes: int = 3) -> None:
        if factor <= 1:
            raise ValueError(f"factor must be > 1 (a spike is factor x the median), got {factor}")
        if huge < factor:
            raise ValueError(f"huge ({huge}) must be at least factor ({factor})")
        if min_spikes < 1:
            raise ValueError(f"min_spikes must be at least 1, got {min_spikes}")
        self.factor = factor
        self.huge = huge
        self.min_spikes = min_spikes

    def check(self, view):
        clipped = clipping_suffices(view)
        if clipped is not None:
            yield from self._clipping_trains(view, clipped)
            return
        diverged_at = divergence_step(view, factor=3.0)
        # From the first NaN/Inf loss or gradient on, spikes are the failure's aftermath (nonfinite-loss).
        broke = first_nonfinite_step(view)
        if broke is not None:
            diverged_at = broke if diverged_at is None else min(diverged_at, broke)
        configs = optimizer_configs(view)
        for key in view.keys("grad_norm"):
            adaptive = (configs.get(key) or {}).get("type") in ADAPTIVE
            spikes = gradient_spikes(view, key, factor=self.factor)
            if diverged_at is not None:  # after the loss blew up or went NaN, spikes are its aftermath
                keep = [i for i, s in enumerate(spikes.steps) if s < diverged_at]
                spikes.steps = [spikes.steps[i] for i in keep]
                spikes.ratios = [spikes.ratios[i] for i in keep]
                spikes.values = [spikes.values[i] for i in keep]
            if not spikes.steps or (spikes.largest < self.huge and (adaptive or len(spikes.steps) < self.min_spikes)):
                continue
            i = int(np.argmax(spikes.ratios))
            where = self._recurrent_layer(view)
            evidence = {
                "optimizer": key,
                "spikes": len(spikes.steps),
                "largest_spike_ratio": spikes.largest,
                "largest_grad_norm": spikes.values[i],
                "largest_spike_step": spikes.steps[i],
                "median_grad_norm": spikes.typical,
                "spike_steps": spikes.steps[:10],
                "steps_measured": spikes.measured,
                "clipping_detected": spikes.clipped_at is not None,
            }
            rnn = where is not None and self._is_recurrent(view, where)
            message = (
                f"The gradient norm spiked to {spikes.values[i]:.3g} at step {spikes.steps[i]}, "
                f"{spikes.largest:.3g}x its usual level ({spikes.typical:.3g}); {len(spikes.steps)} step(s) had a "
                f"gradient at least {self.factor:g}x the running median. Each spike multiplies that step's update"
                + (f"; the model is recurrent ({where}): gradients are multiplied through time." if rnn else ".")
                + (
                    f" Gradients are clipped at {spikes.clipped_at:.3g}, far above their usual level, so the spikes "
                    "pass through."
                    if spikes.clipped_at is not None
                    else " Nothing clips them."
                )
            )
            yield self.finding(message, FIX, where=where, step=spikes.steps[0], evidence=evidence)

    def _clipping_trains(self, view, clipped):
        """The run blew up, and clipped at the same rate the recurrent model trains cleanly."""
        probe = view.first_event("lr_probe").data
        where = self._recurrent_layer(view)
        broke = first_nonfinite_step(view)
        step = broke if broke is not None else divergence_step(view, factor=3.0)
        growth = growth_before(view, step - 1) if step else {}
        growth = {k: v for k, v in growth.items() if k in ("loss_growth", "grad_norm_growth", "initial_loss")}
        evidence = {
            "lr": clipped.get("lr"),
            "clipped_at": clipped.get("max_norm"),
            "clipped_loss_first": clipped.get("loss_first"),
            "clipped_loss_last": clipped.get("loss_last"),
            "probe_steps": probe.get("steps"),
            "largest_clean_lr_unclipped": probe.get("suggested_lr"),
            "broke_at_step": step,
            "clipping_detected": False,
            **growth,
        }
        for key in view.keys("grad_norm")[:1]:  # the spikes up to the break, where there are any
            spikes = gradient_spikes(view, key, factor=self.factor)
            kept = [i for i, s in enumerate(spikes.steps) if step is None or s <= step]
            if kept:
                i = max(kept, key=lambda j: spikes.ratios[j])
                evidence.update(
                    largest_spike_ratio=spikes.ratios[i],
                    largest_grad_norm=spikes.values[i],
                    largest_spike_step=spikes.steps[i],
                    median_grad_norm=spikes.typical,
                )
            evidence["clipping_detected"] = spikes.clipped_at is not None
        unclipped = (
            f" Without clipping, the largest clean rate was {probe['suggested_lr']:.3g}, "
            f"{clipped['lr'] / probe['suggested_lr']:.3g}x smaller."
            if probe.get("suggested_lr") and clipped.get("lr")
            else ""
        )
        grew = (
            f" the gradient norm grew {growth['grad_norm_growth']:.3g}x before it,"
            if growth.get("grad_norm_growth")
            else ""
        )
        message = (
            f"The run blew up at step {step} ({'NaN/Inf' if broke is not None else 'the loss grew 3x or more'});{grew} and the "
            f"model is recurrent ({where}): gradients are multiplied through time. Re-trained from the same initial "
            f"weights on the recorded batches at your lr={clipped.get('lr', float('nan')):.3g} with the gradient norm "
            f"clipped at {clipped.get('max_norm', 1.0):g}, {probe.get('steps')} steps train without blowing up (loss "
            f"{clipped.get('loss_first', float('nan')):.3g} -> {clipped.get('loss_last', float('nan')):.3g}).{unclipped}"
        )
        yield self.finding(message, FIX, where=where, step=step, evidence=evidence, severity=Severity.ERROR)

    @staticmethod
    def _recurrent_layer(view) -> str | None:
        """The first recurrent layer, where exploding gradients come from; None for other models.

        Deliberately not "the layer with the largest gradient at the spike": that changes from one
        check to the next, and a finding's place must not.
        """
        for model_layers in layers(view).values():
            for layer in model_layers:
                if layer.get("type") in RECURRENT:
                    return layer["name"]
        return None

    @staticmethod
    def _is_recurrent(view, module: str) -> bool:
        return any(
            layer.get("name") == module and layer.get("type") in RECURRENT
            for model_layers in layers(view).values()
            for layer in model_layers
        )
