"""train-mode-eval: evaluation (no-grad forward passes) with dropout/batch norm in train mode."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: No-grad forwards at this many consecutive steps are part of the training algorithm
#: (pseudo-labels, an extra pass per batch), not an evaluation.
IN_LOOP_STEPS = 5


@register
class TrainModeEval(Rule):
    """Evaluation runs with dropout/batch norm still in training mode.

    What it detects:
        No-grad forward passes of a model that is being trained (and whose output feeds the
        training loss) ran with the model in train mode and dropout or batch norm active:
        ``model.eval()`` was forgotten before validation or inference. Not accused: a
        teacher/target network never trained by backprop, a GAN generator sampled for
        pictures, MC-dropout (the same input passed several times, or dropout switched on in
        an ``eval()`` model), ``update_bn`` (``momentum=None``), and a no-grad pass at every
        training step (part of the training algorithm). Also: ``F.dropout(x, p)`` called in the
        forward of a trained model that is in eval mode, with ``training`` left at its default
        (True): that dropout ignores ``model.eval()``. (Written ``training=True`` on purpose, it
        is MC dropout and left alone.)
    Why it matters:
        Dropout makes every evaluation noisy and pessimistic, and batch norm normalises each
        validation batch with its own statistics (results depend on batch size and
        composition) and overwrites its running averages with validation data.
    Fix:
        Call ``model.eval()`` before evaluating and ``model.train()`` before training again.
    """

    id = "train-mode-eval"
    severity = Severity.WARNING
    title = "Evaluation with dropout/batch norm in training mode"
    requires = frozenset({"modes"})

    def check(self, view):
        trained = {e.data.get("root") for e in view.events("trained_root")}
        yield from self._functional_dropout(view, trained)
        events = view.events("train_mode_eval")
        if not events:
            return
        loss_roots = {e.data.get("root") for e in view.events("loss_root")}
        accused = trained & loss_roots if loss_roots else trained if len(trained) == 1 else set()
        mc_phases = {(e.step, e.data.get("root")) for e in events if e.data.get("repeated")}
        by_root: dict[str, list] = {}
        for e in events:
            root = e.data.get("root")
            if root in accused and e.data.get("root_training") and (e.step, root) not in mc_phases:
                by_root.setdefault(root, []).append(e)
        for root, evs in by_root.items():
            steps = sorted({e.step for e in evs})
            if _longest_run(steps) >= IN_LOOP_STEPS:
                continue
            modules: dict[str, str] = {}
            for e in evs:
                modules.update(e.data.get("modules", {}))
            kinds = sorted(set(modules.values()))
            evidence = {
                "evaluation_steps": steps[:20],
                "no_grad_forwards_in_train_mode": len(evs),
                "modules_in_train_mode": modules,
                "module_types": kinds,
            }
            effect = []
            if any("Dropout" in k for k in kinds):
                effect.append("dropout randomly zeroes activations in every evaluation")
            if any("Norm" in k for k in kinds):
                effect.append("batch norm uses each evaluation batch's statistics and overwrites its running averages")
            message = (
                f"{root} was evaluated under no_grad in training mode (after step {steps[0]}, {len(steps)} evaluation "
                f"phase(s) watched): {'; '.join(effect)}. Modules: {', '.join(list(modules)[:4])}."
            )
            fix = (
                "Switch to eval mode for evaluation and back to train mode afterwards:\n```\n"
                f"{root}.eval()   # before the validation loop; {root}.train() before training resumes\n```"
            )
            yield self.finding(message, fix, where=root, step=steps[0], evidence=evidence)

    def _functional_dropout(self, view, trained: set):
        """``F.dropout(x, p)`` in a model's forward ignores ``model.eval()``."""
        for e in view.events("default_dropout_in_eval"):
            root, fn = e.data.get("root"), e.data.get("fn", "dropout")
            if root not in trained:
                continue  # a model that is only ever evaluated: perhaps MC dropout on purpose
            forced = bool(e.data.get("forced"))
            call = f"F.{fn}(x, p={e.data.get('p')}" + (", training=True)" if forced else ")")
            message = f"{root} is in eval mode, but its forward calls {call}" + (
                ": dropout is forced on, so it stays on in every evaluation (noisy, pessimistic validation "
                "and predictions). Fine for Monte Carlo dropout on purpose; otherwise pass the module's mode."
                if forced
                else " without `training=`: the argument defaults to True, so dropout stays on in every "
                "evaluation (noisy, pessimistic validation and predictions)."
            )
            fix = (
                "Pass the module's mode, or use an nn.Dropout module (it follows eval()/train()):\n```\n"
                f"x = F.{fn}(x, p={e.data.get('p')}, training=self.training)\n```"
            )
            evidence = {"function": f"F.{fn}", "p": e.data.get("p"), "root_training": False, "forced_on": forced}
            # training=True written out may be MC dropout on purpose: a note, not an accusation.
            severity = Severity.INFO if forced else None
            yield self.finding(message, fix, where=root, step=e.step, evidence=evidence, severity=severity)


def _longest_run(steps: list[int]) -> int:
    best = run = 1 if steps else 0
    for a, b in zip(steps, steps[1:], strict=False):
        run = run + 1 if b == a + 1 else 1
        best = max(best, run)
    return best
