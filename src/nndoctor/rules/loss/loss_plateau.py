"""loss-plateau: the loss stopped moving at the level of a constant prediction."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
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


@register
class LossPlateau(Rule):
    """The loss stopped moving early, at the level of a constant prediction.

    What it detects:
        For the second half of the run, the training loss stays flat at 90% or more of what
        the best *constant* prediction scores on the same targets: the entropy of the label
        distribution for cross-entropy (``ln C`` with balanced classes), the binary entropy of
        the positive rate for BCE, the target variance for MSE. A converged model also stops
        moving, but far below that level.
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
        ordered = sorted_batches(view)
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
