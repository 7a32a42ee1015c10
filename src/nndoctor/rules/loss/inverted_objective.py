"""wrong-loss (live): a hand-written objective that rewards the wrong class (its sign is flipped)."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Measurements of the picked class needed before judging (sampled steps).
MIN_POINTS = 4
#: Points the latest level is a median of.
RECENT = 3
#: Accuracy against the picked labels at most this share of chance (1/C): a model that avoids
#: the labelled class. Shuffled or noisy labels leave it at chance, not far below.
BELOW_CHANCE = 0.5
#: The probability given to the picked class fell to at most this share of its first value.
PROBABILITY_FELL = 0.5


@register
class InvertedObjective(Rule):
    """A hand-written objective makes the model give the labelled class ever less probability.

    What it detects:
        A loss that picks the labelled class's probability (or log-probability) out of a
        softmax by hand (``probs.gather(1, y[:, None])``, ``probs[range(n), y]``,
        ``(probs * one_hot).sum(1)``), while training drives that probability down to at most
        half its first value and the model's top class agrees with the labels at most half as
        often as chance (1/C). Two signals together: the labelled class's probability falls (what
        such a loss does when it is minimised the wrong way round), and the model is worse than
        guessing (shuffled or noisy labels leave accuracy at chance, not below it).
    Why it matters:
        The objective's sign is flipped: minimising the soft accuracy (the probability of the
        correct class) instead of its complement, or ``log p`` instead of ``-log p``. The loss
        falls like a healthy run's while the model learns to be confidently wrong; no error is
        raised, and accuracy ends below what guessing gets.
    Fix:
        Minimise the negative log-probability of the correct class (cross-entropy on the
        logits), or ``1 - p`` for a soft-accuracy objective.
    """

    id = "wrong-loss"
    severity = Severity.ERROR
    title = "The objective rewards wrong answers"
    requires = frozenset({"picked_class"})
    retractable = True

    def check(self, view):
        for key, evidence in inverted_picks(view):
            first_prob, recent_prob = evidence["first_picked_probability"], evidence["recent_picked_probability"]
            recent_acc, chance, c = evidence["recent_accuracy"], evidence["chance_accuracy"], evidence["classes"]
            message = (
                f"The loss picks the labelled class's probability out of a softmax ({key}), and training drives "
                f"that probability down, from {first_prob:.3g} to {recent_prob:.3g}: the model's top class now matches "
                f"the labels {recent_acc:.1%} of the time, below chance ({chance:.1%} for {c} classes). The "
                "objective's sign is flipped: it rewards wrong answers, so the loss falls as the model learns to be "
                "wrong."
            )
            fix = (
                "Minimise the negative log-probability of the correct class (or 1 - p for a soft accuracy):\n"
                "```\nloss = F.cross_entropy(logits, y)   # or: loss = 1 - probs.gather(1, y[:, None]).mean()\n```"
            )
            yield self.finding(message, fix, step=evidence["step"], evidence=evidence)


def inverted_picks(view) -> list[tuple[str, dict]]:
    """Each hand-written pick (key) whose objective drives the labelled class's probability down
    and accuracy below chance, with the numbers (see :class:`InvertedObjective`). Rules that
    would tell the user to train longer read it too: more training makes such a model worse."""
    out = []
    for key in view.keys("picked_accuracy"):
        acc, prob = view.series("picked_accuracy", key), view.series("picked_probability", key)
        classes = view.series("picked_classes", key)
        if len(acc) < MIN_POINTS or len(prob) < MIN_POINTS or classes.empty:
            continue
        c = int(classes.values[-1])
        chance = 1.0 / c
        recent_acc = float(np.median(acc.values[-RECENT:]))
        first_prob, recent_prob = float(prob.values[0]), float(np.median(prob.values[-RECENT:]))
        if recent_acc > BELOW_CHANCE * chance or recent_prob > PROBABILITY_FELL * first_prob:
            continue
        out.append(
            (
                key,
                {
                    "objective": key,
                    "classes": c,
                    "chance_accuracy": chance,
                    "first_accuracy": float(acc.values[0]),
                    "recent_accuracy": recent_acc,
                    "first_picked_probability": first_prob,
                    "recent_picked_probability": recent_prob,
                    "measurements": len(acc),
                    "step": int(acc.steps[-1]),
                },
            )
        )
    return out
