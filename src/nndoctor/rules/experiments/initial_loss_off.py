"""initial-loss-off: the loss at initialisation is far from its expected value."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: Classification: flag an initial loss above RATIO x the neutral value (plus a small margin).
RATIO = 1.5
MARGIN = 0.1
#: Regression: the initial MSE may exceed mean(y^2) by the variance of the initial outputs.
REGRESSION_RATIO = 4.0


@register
class InitialLossOff(ExamineRule):
    """The loss at initialisation is far from what an untrained model should give.

    What it detects:
        The initial loss (first training batches, no update yet) compared with the loss of a
        neutral output computed with the recipe's own loss function: ln(C) for balanced
        C-class cross-entropy, ln(2) for a binary loss, mean(y^2) for MSE. Flagged above
        1.5x that (+0.1) for classification, 4x for regression; and a classification loss
        below half the entropy of the class prior, which no untrained model can reach.
    Why it matters:
        A large initial loss means confident wrong predictions from the start: logits scaled
        up by unnormalised inputs or large weights. The first iterations are spent undoing it
        (the "hockey stick"), and it often hides a bug. A tiny one means the loss does not
        measure what you think.
    Fix:
        Normalise the inputs, initialise the last layer small (or its bias to the log class
        prior), and check what the loss receives.
    """

    id = "initial-loss-off"
    severity = Severity.WARNING
    title = "The initial loss is far from its expected value"

    def check(self, view):
        d = data_of(view, "initial_loss")
        if not d or d.get("expected") is None:
            return
        loss, expected = d["loss"], d["expected"]
        regression = d.get("task") == "regression"
        high = loss > REGRESSION_RATIO * expected if regression else loss > RATIO * expected + MARGIN
        prior = d.get("prior_entropy")
        low = not regression and prior is not None and prior > 0.05 and loss < 0.5 * prior
        if not (high or low):
            return
        evidence = {
            "initial_loss": loss,
            "expected": expected,
            "expected_formula": d.get("expected_formula"),
            "ratio": loss / expected if expected else None,
            "initial_output_std": d.get("output_std"),
        }
        if prior is not None:
            evidence["prior_entropy"] = prior
        if d.get("target_variance") is not None:
            evidence["target_variance"] = d["target_variance"]
        outs = view.events("output_module")  # the layer that makes the outputs, else the model's own forward
        where = outs[0].data.get("module") if outs else "model"
        if high:
            causes = _causes(view)
            evidence["likely_causes"] = causes
            because = f" Likely cause: {causes[0]}." if causes else ""
            message = (
                f"The loss at initialisation is {g(loss)}, {g(loss / expected)}x the {g(expected)} "
                f"({d.get('expected_formula')}) an untrained model should give: it starts out confidently wrong "
                f"(output std {g(d.get('output_std'))}).{because}"
            )
            fix = (
                "Normalise the inputs and keep the last layer's initial outputs small:\n"
                "```\nwith torch.no_grad():\n    last.weight.mul_(0.1); last.bias.zero_()   # or bias = log(class prior)\n```"
            )
        else:
            message = (
                f"The loss at initialisation is {g(loss)}, below half the entropy of the class frequencies "
                f"({g(prior)}), the best an untrained model can do: the loss does not measure what it should, "
                "or the inputs contain the labels."
            )
            fix = "Check what the loss receives and that the inputs do not encode the target:\n```\nprint(loss_fn(model(x[:4]), y[:4]), model(x[:4]), y[:4])\n```"
        yield self.finding(message, fix, where=where, evidence=evidence)


def _causes(view) -> list[str]:
    causes = []
    first = data_of(view, "first_layer_input") or {}
    if first.get("rms", 0) > 4:
        causes.append(f"unnormalised inputs (RMS {g(first['rms'])} into {first.get('module')})")
    for layer in (data_of(view, "weight_stats") or {}).get("layers", []):
        if layer["ratio"] > 5:
            causes.append(f"large initial weights in {layer['name']} (std*sqrt(fan_in) {g(layer['ratio'])})")
    causes.append("a large scale on the last layer's outputs (initialise it smaller)")
    return causes
