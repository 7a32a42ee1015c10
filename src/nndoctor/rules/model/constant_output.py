"""constant-output: the model predicts the same value, or the same class, for every input."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules._windows import first_sustained
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import cleared_before_step, stuck_zero_weights

VALUE_FIX = (
    "The output no longer depends on the input. Look for what cuts the input off: dead ReLU layers "
    "(lower the learning rate), saturated sigmoid/tanh layers, a dropout with p=1, an input that is "
    "overwritten or detached in forward. Check that two different inputs give different outputs:\n"
    "```\nwith torch.no_grad(): print(model(x[:2]))   # the two rows should differ\n```"
)
CLASS_FIX = (
    "The model predicts one class for (almost) every input although the batches hold several. Usually the "
    "learning rate is too high (Adam: try 1e-3) or the classes are heavily imbalanced (weight the loss):\n"
    "```\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)   # or CrossEntropyLoss(weight=w)\n```"
)

#: Layers whose attention a padding mask steers.
ATTENTION = frozenset({"MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer"})
ATTENTION_NOTE = (
    "\nThe model attends: if it takes a padding mask, check the mask's sense. key_padding_mask "
    "(src_key_padding_mask) is True where a position is padding, to be ignored; the inverted mask "
    "(tokens != PAD) hides every real token:\n"
    "```\nmask = tokens == PAD   # True = padding\n```"
)


def _attends(view) -> bool:
    """Whether an attention layer ran (recorded with its input layout; not a leaf layer)."""
    return any(e.data.get("type") in ATTENTION for e in view.events("rnn_input"))


@register
class ConstantOutput(Rule):
    """The model's predictions collapse to one value or one class across inputs.

    What it detects:
        *Value collapse*: the predictions a loss receives (or the model's outputs) have a
        relative spread across the batch below ``value_spread`` (std across samples / mean |value|)
        for ``persist`` sampled steps in a row spanning at least ``value_steps`` steps, while the
        targets (or the inputs) vary. *Class collapse*: a classifier's argmax is one class for at
        least ``class_share`` (80%) of the samples, and ``class_margin`` (30 points) more than the
        commonest class of the targets, for ``class_persist`` sampled steps in a row spanning at
        least ``class_steps`` steps, while the training loss falls by less than
        ``class_loss_drop`` (10%) over that stretch (a model still learning is not stuck).
    Why it matters:
        A model whose output does not depend on its input has stopped learning anything but the
        average target: accuracy is the majority rate, and the gradient is the same for every
        sample. It is the visible end of dead ReLU layers, saturated units, a too-high learning
        rate, or an input that is cut off inside the model.
    Fix:
        Find what cuts the input off (dead or saturated layers, dropout p=1, an overwritten
        input); lower the learning rate; weight the loss for imbalanced classes.
    """

    id = "constant-output"
    severity = Severity.ERROR
    title = "Predictions do not depend on the input"
    requires = frozenset({"loss_inputs", "outputs", "inputs", "step_order", "param_stats", "rnn_layout"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def __init__(
        self,
        value_spread: float = 1e-3,
        persist: int = 5,
        value_steps: int = 20,
        class_share: float = 0.8,
        class_margin: float = 0.3,
        class_persist: int = 6,
        class_steps: int = 100,
        class_loss_drop: float = 0.1,
    ) -> None:
        if not 0 < value_spread < 1:
            raise ValueError(f"value_spread is a relative spread in (0, 1), got {value_spread}")
        if not 0.5 < class_share <= 1:
            raise ValueError(f"class_share is a share of the batch in (0.5, 1], got {class_share}")
        if persist < 1 or class_persist < 1:
            raise ValueError("persist and class_persist must be at least 1 measurement")
        self.value_spread = value_spread
        self.persist = persist
        self.value_steps = value_steps
        self.class_share = class_share
        self.class_margin = class_margin
        self.class_persist = class_persist
        self.class_steps = class_steps
        self.class_loss_drop = class_loss_drop

    def check(self, view):
        if cleared_before_step(view) or stuck_zero_weights(view)[0]:
            return  # the weights never move (params-not-updated) or stay at zero (bad-init): they say why
        streams: dict[tuple, list] = defaultdict(list)
        for e in view.events("loss_call"):
            if "pred_spread" in e.data:
                streams[(e.data.get("fn"), tuple(e.data.get("input_shape", [])[1:]))].append(e)
        reported = False
        for calls in streams.values():
            found = self._value_collapse(calls, view.final) or self._class_collapse(calls, view)
            if found is not None:
                reported = True
                yield found
        if not reported and not streams:
            yield from self._output_collapse(view)

    # ------------------------------------------------------------------ value collapse
    def _value_collapse(self, calls, final):
        spreads = np.array([e.data["pred_spread"] for e in calls])
        steps = np.array([e.step for e in calls])
        limits = np.array([self._limit(e.data) for e in calls])
        run = first_sustained(steps, spreads < limits, self.persist, self.value_steps, at_end=final)
        if run is None:
            return None
        window = calls[run.start : run.stop + 1]
        target_spreads = [e.data["target_spread"] for e in window if "target_spread" in e.data]
        classes = [e.data["target_classes"] for e in window if "target_classes" in e.data]
        d = _described(calls, run.stop)
        evidence = {
            "prediction_spread": float(spreads[run.start : run.stop + 1].max()),
            "threshold": float(limits[run.start : run.stop + 1].min()),
            "constant_since_step": run.first_step,
            "constant_until_step": run.last_step,
            "sampled_steps": run.count,
            "prediction_min": d.get("min"),
            "prediction_max": d.get("max"),
            "loss_function": d.get("fn"),
        }
        if target_spreads:
            evidence["target_spread"] = float(np.median(target_spreads))
        if classes:
            evidence["target_classes_per_batch"] = int(max(classes))
        message = (
            f"Every sample gets the same prediction: the spread of the predictions across the batch is at most "
            f"{evidence['prediction_spread']:.2g} (relative) at {run.count} sampled steps in a row from step "
            f"{run.first_step} to {run.last_step}, while the targets vary. The output does not depend on the input."
        )
        return self.finding(message, VALUE_FIX, where=self._where(d), step=run.first_step, evidence=evidence)

    def _limit(self, d) -> float:
        """The spread below which predictions count as constant; -1 when the targets do not vary."""
        if "target_spread" in d:
            return min(self.value_spread, 0.01 * d["target_spread"]) if d["target_spread"] > 0.01 else -1.0
        if "target_classes" in d:
            return self.value_spread if d["target_classes"] >= 2 else -1.0
        return -1.0

    # ------------------------------------------------------------------ class collapse
    def _class_collapse(self, calls, view):
        labelled = [e for e in calls if "pred_majority_share" in e.data and "target_majority_share" in e.data]
        if not labelled:
            return None
        ok = [
            e.data["pred_majority_share"] >= self.class_share
            and e.data["pred_majority_share"] - e.data["target_majority_share"] >= self.class_margin
            for e in labelled
        ]
        run = first_sustained([e.step for e in labelled], ok, self.class_persist, self.class_steps)
        if run is None:
            return None
        drop = self._loss_drop(view, run.first_step, run.last_step)
        if drop is not None and drop > self.class_loss_drop:
            return None  # the loss is still falling: a slow start, not a collapse
        window = labelled[run.start : run.stop + 1]
        shares = np.array([e.data["pred_majority_share"] for e in window])
        target_shares = np.array([e.data["target_majority_share"] for e in window])
        d = _described(labelled, run.stop)
        evidence = {
            "predicted_majority_share": float(shares.mean()),
            "target_majority_share": float(target_shares.mean()),
            "classes": d.get("classes"),
            "collapsed_since_step": run.first_step,
            "collapsed_until_step": run.last_step,
            "sampled_steps": run.count,
        }
        if drop is not None:
            evidence["loss_drop_while_collapsed"] = drop
        message = (
            f"The model predicts the same class for {shares.mean():.0%} of each batch at {run.count} sampled steps "
            f"in a row (steps {run.first_step}-{run.last_step}), while the commonest class of the targets is "
            f"{target_shares.mean():.0%} of a batch on average (at most {target_shares.max():.0%}): the predictions "
            "have collapsed to one class."
        )
        fix = CLASS_FIX + (ATTENTION_NOTE if _attends(view) else "")
        return self.finding(
            message, fix, where=self._where(d), step=run.first_step, evidence=evidence, severity=Severity.WARNING
        )

    # ------------------------------------------------------------------ no loss function seen
    def _output_collapse(self, view):
        for model in view.keys("output_spread"):
            s = view.series("output_spread", model)
            inputs = view.series("input_spread", model)
            if not len(inputs) or float(np.median(inputs.values)) <= 0.01:
                continue  # the inputs themselves do not vary
            run = first_sustained(
                s.steps, s.values < self.value_spread, self.persist, self.value_steps, at_end=view.final
            )
            if run is None:
                continue
            evidence = {
                "output_spread": float(s.values[run.start : run.stop + 1].max()),
                "input_spread": float(np.median(inputs.values)),
                "constant_since_step": run.first_step,
                "constant_until_step": run.last_step,
            }
            message = (
                f"{model} gives every sample the same output (relative spread across the batch at most "
                f"{evidence['output_spread']:.2g} at {run.count} sampled steps in a row from step {run.first_step}) "
                f"although its inputs vary (spread {evidence['input_spread']:.2g})."
            )
            yield self.finding(message, VALUE_FIX, where=model, step=run.first_step, evidence=evidence)

    @staticmethod
    def _loss_drop(view, first: int, last: int) -> float | None:
        """Relative fall of the training loss from the start to the end of a stretch of steps."""
        loss = view.loss
        mask = (loss.steps >= first) & (loss.steps <= last)
        values = loss.values[mask]
        values = values[np.isfinite(values)]
        if len(values) < 10:
            return None
        k = max(1, len(values) // 5)
        start, end = float(np.median(values[:k])), float(np.median(values[-k:]))
        return (start - end) / abs(start) if start else None

    @staticmethod
    def _where(data) -> str | None:
        producer = data.get("producer") or data.get("input_op_after")
        return producer.split(".")[0] if producer else None


def _described(calls: list, last: int) -> dict:
    """The data of the latest fully described loss call up to ``calls[last]`` (the monitor
    describes the prediction's range and producer only on some sampled steps: ``partial``)."""
    for e in reversed(calls[: last + 1]):
        if not e.data.get("partial"):
            return e.data
    return calls[last].data
