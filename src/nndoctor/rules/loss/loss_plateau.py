"""loss-plateau: the loss stopped moving at the level of a constant prediction."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import GUESS_BREAK, Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import update_ratios
from nndoctor.rules.loss import _curve, _squeezed
from nndoctor.rules.loss._batches import SHUFFLE_FIX, sorted_batches

#: Points needed at the end of a run / while it trains (a finding, once made, stays: live
#: judgement waits for a long plateau, since slow starts such as an LSTM sitting at ln 2 for
#: a few dozen steps are normal).
MIN_POINTS_FINAL = 60
MIN_POINTS_LIVE = 200
#: While training, steps at the full rate a plateau needs after a warm-up, in warm-up lengths.
WARMUP_WAIT = 2
#: Stuck: the recent loss is at least this share of the constant-predictor loss ...
STUCK_SHARE = 0.9
#: ... (error above this share: the model has learned nothing at all) ...
NOTHING_SHARE = 0.97
#: ... and it no longer moves: the halves of the recent window differ by less than this share
#: of the baseline (a loss that keeps falling is learning; one that keeps rising is another
#: problem, see loss-increasing).
MAX_PROGRESS = 0.05
#: A loss already this share of the constant predictor's or less over the run's first steps (its
#: first 5%, less than an epoch in most runs: batches the model has not seen yet) learned a signal
#: that carries to new data; memorised noise (labels shuffled apart from their inputs) needs many
#: passes. A loss that learned early and then flattened in the stuck band (below ``NOTHING_SHARE``)
#: has converged on a weak signal (probe 17: a task whose best possible loss is 92% of ln 2 flat
#: at 92.5% after 4% below it within 38 steps; the shuffled and misaligned labels, the LSTM read at
#: its first step all start at 99.5-102%): a note, not a warning.
EARLY_LEARNED = 0.97
#: Update/weight ratios (median layer, median over the plateau) of an optimizer that works: the
#: rule of thumb's ~1e-3, within a factor of ~10 either way. A model stuck at the constant
#: prediction while its weights move at that rate is being fitted to something that carries no
#: signal: the labels, most often, no longer follow the inputs.
HEALTHY_UPDATES = (1e-4, 1e-2)
LABELS_FIX = (
    "The optimizer is working; check what it is fitted to. Print a few inputs with their labels and check the "
    "pairs by hand; shuffle or split inputs and labels with one index, never each on its own; check which part "
    "of the input reaches the output (out[:, -1] is an RNN's last step):\n"
    "```\nperm = torch.randperm(len(X)); X, y = X[perm], y[perm]   # one permutation for both\n```"
)


@register
class LossPlateau(Rule):
    """The loss stopped moving early, at the level of a constant prediction.

    What it detects:
        For the second half of the run, the training loss stays flat at 90% or more of what
        the best *constant* prediction scores on the same targets: the entropy of the label
        distribution for cross-entropy (``ln C`` with balanced classes), the binary entropy of
        the positive rate for BCE, the target variance for MSE. A converged model also stops
        moving, but far below that level. A loss that fell below that level within the run's
        first steps (on batches not seen before) and then flattened between 90% and 97% of it
        has converged on a weak signal: a note. When the weights move at a healthy rate
        (update/weight ~1e-3) and nothing else explains the plateau, the message guesses the data:
        labels that no longer follow the inputs, or a model that never sees the informative part.
    Why it matters:
        The model predicts no better than ignoring its input: it learns nothing. Usual causes:
        dead units (learning rate too high, bad initialisation), labels misaligned with the
        inputs, a broadcast or detached tensor between model and loss, vanishing gradients.
    Fix:
        Check that one small batch can be overfitted; check labels against inputs; try a
        standard optimizer setting, then look at the other findings for the cause. Training
        batches that each hold one class of data that holds many (data sorted by label, not
        shuffled) are named as the cause, with shuffling as the fix. (A loss fed
        squeezed scores, a softmax or sigmoid before a loss that applies its own, sits at a floor
        above zero however well the model learns: that is double-softmax or
        output-activation-mismatch, not this.)
    """

    id = "loss-plateau"
    severity = Severity.ERROR
    title = "The loss is stuck at the level of a constant prediction"
    requires = frozenset({"loss", "param_stats"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def check(self, view):
        if _curve.adversarial(view):
            return
        for name, curve in _curve.fn_curves(view).items():
            base = _curve.baseline(view, name)
            if base is None or _squeezed.squeezed_scores(view, name) or _squeezed.not_log_probs(view, name):
                continue  # (squeezed scores: a floor above zero; no log-probabilities: no NLL to set
                # against ln C; output-activation-mismatch and double-softmax name the cause)
            finding = self._judge(view, curve.finite_prefix(), base)
            if finding is not None:
                yield finding
                return

    @staticmethod
    def _just_warmed_up(view) -> bool:
        """A warm-up ended less than two warm-up lengths ago. Models trained with one (attention
        models above all) often sit at the constant-prediction loss for a while at the full rate
        before they start to fall (probe 10: a transformer flat at ln 2 from step 0 to ~210, after
        a 100-step warm-up, then 0.999 accuracy): while training, give them that long."""
        warmup = _curve.warmup_length(view)
        return warmup is not None and view.last_step - warmup[1] < WARMUP_WAIT * (warmup[1] - warmup[0])

    @staticmethod
    def _update_rate(view, since: float) -> float | None:
        """The median layer's update/weight ratio over the plateau (3 sampled steps or more)."""
        ratios = update_ratios(view).since(int(since))
        finite = ratios.median[np.isfinite(ratios.median)]
        return float(np.median(finite)) if len(finite) >= 3 else None

    def _judge(self, view, curve, base):
        n = len(curve)
        if n < (MIN_POINTS_FINAL if view.final else MIN_POINTS_LIVE):
            return None
        recent = curve.y[n // 2 :]
        first, second = recent[: len(recent) // 2], recent[len(recent) // 2 :]
        level = _curve.median(recent)
        progress = (_curve.median(first) - _curve.median(second)) / base
        # while training, only a model that learned nothing at all is accused: a slow learner
        # on a noisy task may sit a little below the baseline for a while
        if level < (STUCK_SHARE if view.final else NOTHING_SHARE) * base or abs(progress) >= MAX_PROGRESS:
            return None
        since = curve.x[n // 2]
        if curve.unit == "step" and _curve.lr_still_rising(view, since):
            return None  # still warming up
        if not view.final and curve.unit == "step" and self._just_warmed_up(view):
            return None
        start = _curve.median(curve.y[: max(3, n // 20)])
        share = level / base
        evidence = {
            "loss_function": curve.name,
            "recent_loss": level,
            "constant_predictor_loss": base,
            "share_of_constant_predictor": share,
            "start_loss": start,
            "progress_in_recent_window": progress,
            f"flat_since_{curve.unit.replace(' ', '_')}": int(since),
            f"{curve.unit.replace(' ', '_')}s": n,
        }
        reference = {
            "cross_entropy": "the entropy of the label distribution (ln C for C balanced classes)",
            "nll_loss": "the entropy of the label distribution (ln C for C balanced classes)",
            "mse_loss": "the variance of the targets",
        }.get(curve.name, "predicting the same value for every input")
        message = (
            f"The {curve.name} loss has been flat at {level:.4g} since {curve.unit} {int(since)}, "
            f"{share:.0%} of {base:.4g}, which is {reference}: the model predicts no better than a constant "
            "and learns nothing from its inputs."
        )
        fix = (
            "Make sure the model can learn at all: overfit one small batch with a standard setting, check that "
            "labels line up with inputs, and see the other findings (dead units, detached or broadcast tensors):\n"
            "```\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)   # then train on one batch until loss ~ 0\n```"
        )
        if share < NOTHING_SHARE and start <= EARLY_LEARNED * base:
            message = (
                f"The {curve.name} loss has converged at {level:.4g} since {curve.unit} {int(since)}, {share:.0%} of "
                f"{base:.4g}, which is {reference}. It fell below that within the first steps ({start:.4g}, "
                f"{start / base:.0%}), on batches the model had not seen yet, so the inputs do carry a signal, but "
                "they explain little of the targets. That can be all this data holds (noisy labels, weak features)."
            )
            fix = (
                "Compare with a known result or a simple baseline on the same data (a logistic regression or a "
                "gradient-boosted model); if they do clearly better, give the model more capacity or better "
                "features:\n```\nfrom sklearn.linear_model import LogisticRegression   # its score on held-out data\n```"
            )
            return self.finding(
                message,
                fix,
                step=curve.step_at(n // 2),
                evidence=evidence,
                severity=Severity.INFO,
                title="The loss converged close to a constant prediction's",
            )
        ordered = sorted_batches(view)
        rate = None if ordered is not None else self._update_rate(view, since)
        if rate is not None and HEALTHY_UPDATES[0] <= rate <= HEALTHY_UPDATES[1]:
            evidence["median_update_ratio"] = rate
            message += (
                f"{GUESS_BREAK}the data the model is fitted to. The weights move at a healthy rate (each update "
                f"{rate:.1g} of the weights, the rule of thumb's ~1e-3), so the optimizer works, and the model finds "
                "no signal: most often the labels no longer line up with the inputs (inputs and labels shuffled or "
                "split separately, labels read from another column), or the model never sees the part of the input "
                "that holds it (a sequence model read at the wrong time step, the informative features dropped)."
            )
            fix = LABELS_FIX
        if ordered is not None:  # the usual cause, in the batches themselves
            evidence.update(ordered)
            message = (
                f"The {curve.name} loss has been flat at {level:.4g} since {curve.unit} {int(since)}, {share:.0%} of "
                f"{base:.4g}, the loss of a constant prediction of the labels seen so far. Each training batch holds "
                f"{ordered['mean_batch_majority_share']:.0%} of its examples in one class on average, while over "
                f"{ordered['batches_counted']} sampled batches no class holds more than "
                f"{ordered['pooled_majority_share']:.0%}: the data is sorted by label and not shuffled, so every "
                "batch pulls the model towards its own class and the next one undoes it."
            )
            fix = SHUFFLE_FIX
        severity = Severity.ERROR if share >= NOTHING_SHARE else Severity.WARNING
        return self.finding(message, fix, step=curve.step_at(n // 2), evidence=evidence, severity=severity)
