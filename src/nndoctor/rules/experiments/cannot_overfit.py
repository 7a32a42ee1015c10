"""cannot-overfit: the model cannot memorise a tiny subset; the curve's shape ranks the causes."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g
from nndoctor.rules.experiments.loss_shape_broadcast import ELEMENTWISE

CAUSES = {
    "flipped-sign": (
        "the loss's sign is flipped or the optimizer ascends (maximize=True, p += lr * grad)",
        "Minimise the loss: return +loss and step with descent.\n```\nloss = loss_fn(model(x), y)   # not -loss; torch.optim.SGD(params, lr, maximize=False)\n```",
    ),
    "lr-high": (
        "the learning rate is too high",
        "Divide the learning rate by 3 until the loss falls smoothly.\n```\noptimizer = torch.optim.Adam(model.parameters(), lr=lr / 3)\n```",
    ),
    "numerics": (
        "numerical instability (exp/log overflow, division by ~0)",
        "Use stable ops (log_softmax, logsumexp, BCEWithLogitsLoss) and add epsilons.\n```\nlog_probs = torch.log_softmax(logits, dim=-1)\n```",
    ),
    "data-labels": (
        "the labels do not match the inputs (shuffled, misaligned) or are very noisy",
        "Check that inputs and labels are paired correctly.\n```\nperm = torch.randperm(len(X)); X, y = X[perm], y[perm]\n```",
    ),
    "lr-low": (
        "the learning rate is too low",
        "Raise the learning rate (try 3x, then 10x), or take the LR range test's suggestion.\n```\noptimizer = torch.optim.Adam(model.parameters(), lr=lr * 10)\n```",
    ),
    "no-gradient": (
        "gradients do not flow (a detached graph, dead units, vanishing gradients, identical weights)",
        "Make sure every layer gets a gradient (see params-without-grad / vanishing-gradients).\n```\nfor n, p in model.named_parameters(): print(n, None if p.grad is None else p.grad.norm())\n```",
    ),
    "regularization": (
        "too much regularization (weight decay, dropout)",
        "Lower the weight decay and dropout until the model can fit a small subset.\n```\noptimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)\n```",
    ),
    "wrong-loss-input": (
        "the loss receives the wrong input (probabilities instead of logits, a wrong final activation)",
        "Feed the loss what it expects (logits for CrossEntropyLoss).\n```\nloss = nn.CrossEntropyLoss()(logits, y)   # no softmax before it\n```",
    ),
    "batch-mixing": (
        "samples in a batch influence each other (see batch-dependence)",
        "Keep the batch dimension untouched in forward.\n```\nx = x.flatten(1)   # not x.view(-1, n) across the batch\n```",
    ),
    "shape-broadcast": (
        "the prediction and target shapes differ and broadcast inside the loss (see loss-shape-broadcast)",
        "Make the prediction and the target the same shape.\n```\nloss = loss_fn(model(x).squeeze(-1), y)   # (N,) against (N,)\n```",
    ),
    "invalid-target": (
        "the targets are outside what the loss accepts (see invalid-target)",
        "Map the targets into the loss's range.\n```\ny = (y > 0).float()   # BCE: 0/1; cross-entropy: 0..C-1\n```",
    ),
    "unscaled-data": (
        "inputs or targets far from unit scale (see unnormalized-input / unnormalized-target)",
        "Standardise inputs (and regression targets) with the training statistics.\n"
        "```\nX = (X - X_train.mean(0)) / (X_train.std(0) + 1e-8)\n```",
    ),
    "wrong-gradient": (
        "a custom backward computes a wrong gradient (see gradcheck-failed)",
        "Fix the custom autograd Function's backward.\n"
        "```\ntorch.autograd.gradcheck(MyFunction.apply, (x.double().requires_grad_(),))\n```",
    ),
    "capacity": (
        "the model is too small for the data",
        "Make the model bigger (wider or deeper layers).\n```\nnn.Linear(d, 4 * h)\n```",
    ),
    "too-few-steps": (
        "it needs more steps: the loss is still going down",
        "Train for longer, or raise the learning rate.\n```\nfor epoch in range(2 * epochs): ...\n```",
    ),
}
BY_SHAPE = {
    "increasing": ["flipped-sign", "lr-high"],
    "negative": ["flipped-sign", "wrong-loss-input"],
    "explodes": ["lr-high", "numerics"],
    "oscillating": ["lr-high", "data-labels"],
    "plateau": ["lr-low", "no-gradient", "regularization", "wrong-loss-input"],
    "slow": ["lr-low", "too-few-steps", "capacity"],
}
SHAPE_TEXT = {
    "increasing": "goes up",
    "negative": "runs below zero (a loss that cannot be negative)",
    "explodes": "explodes",
    "oscillating": "oscillates without a trend",
    "plateau": "plateaus",
    "slow": "goes down, too slowly",
}
#: For 100 examples only clear failures count (a slow decrease is normal there).
HARD_SHAPES = ("increasing", "negative", "explodes", "oscillating", "plateau")


@register
class CannotOverfit(ExamineRule):
    """The model cannot memorise a tiny subset of its training data.

    What it detects:
        Ten training examples, trained as one batch with the recipe's optimizer for a few
        hundred steps, are not memorised (eval loss at its floor and every example right).
        The loss curve is classified (goes up, explodes, oscillates, plateaus, goes down too
        slowly) and the likely causes are ranked, first those that other experiments
        confirmed (a learning rate that diverges, probabilities fed to the loss, parameters
        without gradient, regularization that prevents fitting, uninformative labels). For
        100 examples (in mini-batches), only a curve that clearly fails is reported. A curve that
        goes down too slowly but is still falling steeply at the end, with no cause confirmed by
        another experiment, is reported as advice only: it ran out of steps.
    Why it matters:
        Any working network memorises ten examples. If it cannot, training on the full data
        will not work either: this is the cheapest bug detector there is.
    Fix:
        The first ranked cause's fix; the others follow in the evidence.
    """

    id = "cannot-overfit"
    severity = Severity.ERROR
    title = "The model cannot overfit a tiny subset"

    def check(self, view):
        runs = {e.data["n"]: e.data for e in view.events("overfit")}
        small = min(runs) if runs else None
        for n, r in sorted(runs.items()):
            if r["reached"]:
                continue
            shape = r.get("shape", "plateau")
            if n != small and shape not in HARD_SHAPES:
                continue
            causes = rank_causes(view, shape, n)
            # A slow curve still falling steeply at the end, with no other experiment pointing at a
            # fault, only ran out of steps: say so, as advice. (A range test that prefers a larger
            # rate says the same thing: it would get there sooner.)
            late = r.get("late_drop")
            faults = [c for c in confirmed_causes(view, shape, n) if c != "lr-low"]
            inconclusive = shape == "slow" and bool(r.get("still_falling")) and not faults
            if inconclusive:
                causes = ["too-few-steps", *(c for c in causes if c != "too-few-steps")]
            evidence = {
                "examples": n,
                "steps": r["steps"],
                "shape": shape,
                "initial_loss": r["initial"],
                "final_loss": r.get("final"),
                "best_loss": r.get("best"),
                "eval_loss": r["eval_loss"],
                "target_loss": r["floor"],
                "likely_causes": [CAUSES[c][0] for c in causes],
            }
            if "accuracy" in r:
                evidence["accuracy"] = r["accuracy"]
            acc = f", {r['accuracy']:.0%} of them right" if "accuracy" in r else ""
            batches = "one batch" if r["batch"] >= n else f"batches of {r['batch']}"
            message = (
                f"Trained on just {n} examples for {r['steps']} steps ({batches}), "
                f"the loss {SHAPE_TEXT.get(shape, shape)}: {g(r['initial'])} -> {g(r.get('final'))} (eval "
                f"{g(r['eval_loss'])}{acc}; memorised means below {g(r['floor'])}). Most likely: "
                f"{CAUSES[causes[0]][0]}."
            )
            # A curve still going down is less certain than one that fails outright.
            severity = None if n == small and shape != "slow" else Severity.WARNING
            if inconclusive:
                severity = Severity.INFO
                evidence["late_drop"] = late
                message += (
                    f" It was still falling ({late:.0%} over the last quarter of the steps) and no other experiment "
                    "found a cause: it probably needs more steps (examine without --quick runs longer)."
                )
                if r.get("steps_to_target") is not None:
                    evidence["steps_to_target_estimate"] = round(r["steps_to_target"])
            yield self.finding(
                message,
                CAUSES[causes[0]][1],
                step=r["steps"],
                evidence=evidence,
                severity=severity,
                where=None if n == small else f"{n} examples",
            )


def rank_causes(view, shape: str, n: int) -> list[str]:
    """Causes confirmed by other experiments first, then the usual ones for the curve's shape."""
    ranked: list[str] = []
    for c in confirmed_causes(view, shape, n) + BY_SHAPE.get(shape, ["lr-low"]):
        if c not in ranked:
            ranked.append(c)
    return ranked


def confirmed_causes(view, shape: str, n: int) -> list[str]:
    """Causes that other experiments measured (not just the usual suspects for the curve's shape)."""
    confirmed = []
    if (data_of(view, "descent") or {}).get("ascends"):
        confirmed.append("flipped-sign")
    unreg = [e.data for e in view.events("overfit_unregularized") if e.data["n"] == n]
    if unreg and unreg[-1]["reached"]:
        confirmed.append("regularization")
    probe = data_of(view, "loss_probe") or {}
    if _targets_invalid(probe):
        confirmed.append("invalid-target")
    if _broadcasts(probe):
        confirmed.append("shape-broadcast")
    if _wrong_loss_input(probe):
        confirmed.append("wrong-loss-input")
    if _unscaled(view) and shape in ("plateau", "slow", "oscillating", "explodes"):
        confirmed.append("unscaled-data")
    lr = data_of(view, "lr_trials") or {}
    trials = lr.get("trials") or []
    if trials and trials[0].get("diverged") and lr.get("clean_lr") is not None:
        confirmed.append("lr-high")
    flow = data_of(view, "grad_flow") or {}
    symmetry = (data_of(view, "symmetry") or {}).get("layers", {})
    rel = [layer["relative"] for layer in flow.get("layers", []) if layer["relative"] is not None]
    vanishing = len(rel) >= 3 and max(rel) > 0 and min(rel[:-1]) < 1e-3 * max(rel)
    if flow.get("missing") or vanishing or any(symmetry.values()):
        confirmed.append("no-gradient")
    if (data_of(view, "batch_independence") or {}).get("leak", 0) > 1e-4:
        confirmed.append("batch-mixing")
    if any(not e.data.get("passed") and e.data.get("wrong") for e in view.events("gradcheck")):
        confirmed.append("wrong-gradient")
    labels = data_of(view, "label_signal")
    if labels and labels["z"] < 3 and shape in ("oscillating", "plateau", "slow"):
        confirmed.append("data-labels")
    narrow = _bottleneck(view)
    if narrow and shape in ("plateau", "slow"):
        confirmed.append("capacity")
    curve = data_of(view, "lr_range_curve")
    if curve and lr.get("user_lr") and shape in ("plateau", "slow") and curve["suggested_lr"] > 30 * lr["user_lr"]:
        confirmed.append("lr-low")
    return confirmed


def _bottleneck(view) -> str | None:
    """A hidden layer with fewer units than the model has outputs (a classifier's classes)."""
    layers = (data_of(view, "weight_stats") or {}).get("layers", [])
    out = [layer for layer in layers if layer["is_output"]]
    if not out:
        return None
    for layer in layers:
        if not layer["is_output"] and layer["units"] < min(out[0]["units"], 4):
            return layer["name"]
    return None


def _wrong_loss_input(p: dict) -> bool:
    """Probabilities into a logits loss, non-log-probabilities into NLL, ReLU scores into
    cross-entropy, a bounded final activation before a regression loss on targets outside it."""
    loss, act = p.get("loss"), p.get("producer_type")
    outside = {
        "ReLU": p.get("target_negative_share"),
        "Sigmoid": p.get("target_outside_unit_share"),
        "Tanh": p.get("target_outside_pm1_share"),
    }.get(act)
    return bool(
        (loss == "cross_entropy" and (p.get("rows_sum_to_one") or act == "ReLU"))
        or (loss == "binary_cross_entropy_with_logits" and act == "Sigmoid")
        or (loss == "nll_loss" and not p.get("rows_are_log_probs"))
        or (loss in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss") and (outside or 0) > 0.05)
    )


def _unscaled(view) -> bool:
    """Inputs (as the first layer sees them) or regression targets far from unit scale."""
    first = data_of(view, "first_layer_input") or {}
    if not (first.get("normalizes") or first.get("embedding")):
        fmax, fmed = first.get("feature_rms_max", 0), first.get("feature_rms_median", 0)
        if first.get("rms", 0) > 4 or (fmax > 20 and fmed > 0 and fmax > 20 * fmed):
            return True
    target = data_of(view, "target_stats")
    return bool(target and max(target["std"], abs(target["mean"])) > 10)


def _broadcasts(p: dict) -> bool:
    """The loss was called with prediction and target shapes that differ (and broadcast)."""
    pred, target = p.get("loss_input_shape"), p.get("loss_target_shape")
    if p.get("loss") not in ELEMENTWISE or p.get("loss_error") or pred is None or target is None:
        return False
    return list(pred) != list(target)


def _targets_invalid(p: dict) -> bool:
    lo, hi = p.get("target_min"), p.get("target_max")
    if lo is None:
        return False
    if p.get("loss") in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        return lo < 0 or hi > 1
    return False
