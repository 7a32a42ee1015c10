"""saturated-activation: most outputs of a hidden sigmoid/tanh layer sit in its flat tails."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules._windows import first_sustained
from nndoctor.rules.base import Rule

INIT_FIX = (
    "Scale the layer's initial weights to its fan-in (Xavier/Glorot init for sigmoid and tanh), or put a "
    "normalisation layer before the activation:\n"
    "```\nnn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain('tanh'))\n```"
)
INPUT_FIX = (
    "The inputs are far from unit scale, so the first layer's pre-activations are huge. Standardise them "
    "with training-set statistics:\n"
    "```\nmean, std = X_train.mean(0), X_train.std(0) + 1e-8; X_train = (X_train - mean) / std\n```"
)
#: Model input rms above which the inputs, not the weights, are the likely cause.
INPUT_RMS_CAUSE = 5.0


@register
class SaturatedActivation(Rule):
    """Most outputs of a hidden sigmoid/tanh layer sit in its flat tails.

    What it detects:
        A hidden ``nn.Sigmoid``/``nn.Tanh``/``nn.Hardtanh`` module, or a functional
        ``torch.sigmoid``/``torch.tanh`` applied to a layer's output, whose outputs lie within 1%
        of the bounds (sigmoid below 0.01 or above 0.99, i.e. |x| > 4.6; tanh beyond +-0.99, i.e.
        |x| > 2.6) for at least half of all values, at ``persist`` sampled steps in a row from
        the first few measurements on: saturated from the start, by the initialisation or the
        inputs' scale, which is what the fix addresses. A layer that training drives into its
        tails later is left alone (an actor-critic's tanh trunk learning near-binary features
        while its policy keeps improving: no initialisation or input scale is at fault, and
        the units still carry information). The model's final activation is left out: a
        confident output sigmoid is doing its job.
    Why it matters:
        In the tails the derivative is ~0 (sigmoid'(4.6) = 0.01), so almost no gradient flows
        through the layer and everything before it stops learning. Typical causes: weights
        initialised too large for the fan-in, or unnormalised inputs.
    Fix:
        Xavier/Glorot initialisation; standardised inputs; a normalisation layer before the
        activation; or ReLU-family activations in hidden layers.
    """

    id = "saturated-activation"
    severity = Severity.WARNING
    title = "Saturated sigmoid/tanh units"
    requires = frozenset({"activations", "inputs"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def __init__(self, threshold: float = 0.5, persist: int = 3) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold is a share of outputs in (0, 1], got {threshold}")
        if persist < 1:
            raise ValueError(f"persist must be at least 1 measurement, got {persist}")
        self.threshold = threshold
        self.persist = persist

    def check(self, view):
        sites = {e.data.get("key"): e.data for e in view.events("activation_site")}
        for key in view.keys("saturated_fraction"):
            series = view.series("saturated_fraction", key)
            run = first_sustained(series.steps, series.values >= self.threshold, self.persist)
            if run is None or run.start >= self.persist:
                continue  # not saturated, or only after training moved the weights there
            site = sites.get(key, {})
            since = run.first_step
            values = series.values[run.start : run.stop + 1]
            model = key.split(".")[0]
            input_rms = view.series("input_rms", model)
            rms = float(np.median(input_rms.values)) if len(input_rms) else None
            inputs_cause = rms is not None and rms >= INPUT_RMS_CAUSE
            kind = site.get("kind", "sigmoid/tanh")
            functional = bool(site.get("functional"))
            what = f"the {kind} applied to {key}'s output" if functional else f"{key} ({kind})"
            now = float(values.mean())
            evidence = {
                "saturated_fraction": now,
                "saturated_since_step": since,
                "saturated_until_step": run.last_step,
                "sampled_steps_saturated": run.count,
                "latest_saturated_fraction": float(series.values[-1]),
                "activation": f"functional {kind}" if functional else kind,
                "tail": "output within 1% of the bounds",
            }
            if site.get("after"):
                evidence["layer_before"] = site["after"]
            if rms is not None:
                evidence["model_input_rms"] = rms
            cause = (
                f" The model's inputs have rms {rms:.3g} (unnormalised), which drives the pre-activations into the tails."
                if inputs_cause
                else " The pre-activations are too large: usually weights initialised too large for the fan-in."
            )
            message = (
                f"{now:.0%} of the outputs of {what} sit in the flat tails where its gradient is ~0, at "
                f"{run.count} sampled steps in a row from step {since}; the layers before it barely learn.{cause}"
            )
            yield self.finding(
                message, INPUT_FIX if inputs_cause else INIT_FIX, where=key, step=since, evidence=evidence
            )
