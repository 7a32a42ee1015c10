"""eval-mode-training: optimizer steps taken with dropout/batch norm in eval mode."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Watched training steps (at different steps) in eval mode before accusing.
MIN_STEPS = 2


@register
class EvalModeTraining(Rule):
    """Optimizer steps are taken while dropout/batch norm are in eval mode.

    What it detects:
        The model was in eval mode (``model.eval()`` was called and ``model.train()`` never
        came back) during the forward passes that optimizer steps followed, while it holds
        dropout or batch-norm layers with trainable parameters around them. A frozen backbone
        (``requires_grad=False``) kept in eval mode, batch norm frozen on purpose inside a model
        in train mode, and an eval-mode forward used only to craft inputs (adversarial
        training) are not counted.
    Why it matters:
        In eval mode dropout does nothing (no regularisation) and batch norm normalises with
        running statistics that no longer update, instead of the batch statistics it was
        meant to train with. Models loaded with ``from_pretrained`` start in eval mode, and a
        validation loop's ``model.eval()`` outlives it when ``model.train()`` sits outside the
        epoch loop.
    Fix:
        Call ``model.train()`` at the start of every training epoch (after validation).
    """

    id = "eval-mode-training"
    severity = Severity.WARNING
    title = "Training with dropout/batch norm in eval mode"
    requires = frozenset({"modes"})

    def check(self, view):
        by_root: dict[str, list] = {}
        for e in view.events("eval_mode_step"):
            if not e.data.get("root_training", True):
                by_root.setdefault(e.data.get("root", "model"), []).append(e)
        for root, events in by_root.items():
            steps = sorted({e.step for e in events})
            if len(steps) < MIN_STEPS:
                continue
            modules: dict[str, str] = {}
            for e in events:
                modules.update(e.data.get("modules", {}))
            kinds = sorted(set(modules.values()))
            evidence = {
                "first_step": steps[0],
                "steps_seen_in_eval_mode": len(steps),
                "modules_in_eval_mode": modules,
                "module_types": kinds,
            }
            message = (
                f"{root} was in eval mode during training from step {steps[0]} on ({len(steps)} watched steps): "
                f"{len(modules)} {'/'.join(kinds)} module(s) ({', '.join(list(modules)[:4])}) did not train as they should: "
                "dropout is off and batch norm uses frozen running statistics."
            )
            fix = f"Put the model back in training mode at the start of each training epoch:\n```\n{root}.train()\n```"
            yield self.finding(message, fix, where=root, step=steps[0], evidence=evidence)
