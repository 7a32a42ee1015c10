"""too-much-regularization: weight decay or dropout prevents fitting."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, g


@register
class TooMuchRegularization(ExamineRule):
    """Weight decay or dropout prevents the model from fitting.

    What it detects:
        The overfit experiment failed with the recipe's weight decay and dropout, and the
        same run with weight decay set to 0 and dropout disabled memorised the examples.
    Why it matters:
        Regularization trades training fit for generalisation; when it is strong enough to
        stop the model from memorising ten examples, it also stops it from learning the task.
    Fix:
        Lower weight decay (1e-4 to 1e-2 is typical with AdamW) and dropout (0.1 to 0.5), and
        add them back only once the model overfits.
    """

    id = "too-much-regularization"
    severity = Severity.WARNING
    title = "Regularization prevents fitting"

    def check(self, view):
        failed = {e.data["n"]: e.data for e in view.events("overfit") if not e.data["reached"]}
        for e in view.events("overfit_unregularized"):
            u = e.data
            r = failed.get(u["n"])
            if not u["reached"] or r is None:
                continue
            removed = u["removed"]
            parts = []
            if "weight_decay" in removed:
                parts.append(f"weight decay {g(removed['weight_decay'])} ({removed.get('optimizer')})")
            if removed.get("dropout"):
                parts.append("dropout " + ", ".join(f"{k} p={v:g}" for k, v in removed["dropout"].items()))
            evidence = {
                **{k: v for k, v in removed.items() if k != "optimizer"},
                "examples": u["n"],
                "eval_loss_regularized": r["eval_loss"],
                "eval_loss_without": u["eval_loss"],
                "steps_without": u["steps"],
            }
            message = (
                f"With {' and '.join(parts)}, the model cannot memorise {u['n']} examples (eval loss "
                f"{g(r['eval_loss'])}); without them it does, in {u['steps']} steps (eval loss {g(u['eval_loss'])}). "
                "The regularization is strong enough to stop it from fitting the data at all."
            )
            wd = removed.get("weight_decay")
            code = (
                f"optimizer = torch.optim.{removed.get('optimizer', 'AdamW')}(model.parameters(), lr=lr, weight_decay={g(wd / 100)})"
                if wd
                else "nn.Dropout(p=0.1)   # instead of a large p"
            )
            fix = f"Lower the regularization until the model fits, then add it back gradually:\n```\n{code}\n```"
            yield self.finding(message, fix, evidence=evidence)
            return
