"""class-imbalance, live: rare classes in the training batches that the model stops answering."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from nndoctor.balance import IMBALANCE_RATIO, imbalanced
from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: The code lines of the fixes (examine's class-imbalance and worse-than-baseline use them too).
POS_WEIGHT_CODE = "pos = y_train.float().mean()\nloss_fn = nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)"
CLASS_WEIGHT_CODE = "counts = torch.bincount(y_train).float()\nloss_fn = nn.CrossEntropyLoss(weight=counts.sum() / (len(counts) * counts))"
BCE_FIX = (
    "Weight the rare positives by the negative/positive ratio (or sample them more often with a "
    f"WeightedRandomSampler), and judge the model by the rare class's recall, not accuracy:\n```\n{POS_WEIGHT_CODE}\n```"
)
CE_FIX = (
    "Weight the loss by inverse class frequency (or sample the rare classes more often with a "
    f"WeightedRandomSampler), and judge the model by per-class recall, not accuracy:\n```\n{CLASS_WEIGHT_CODE}\n```"
)


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean): how likely at most ``k`` answers of a class are, if the
    model gave it as often as it occurs."""
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(total, 1.0)


@register
class LiveClassImbalance(Rule):
    """The training labels are imbalanced, the loss does not weight them, and the model all but
    never answers the rare classes.

    What it detects:
        Pooled over the sampled training batches (one label per example, a float input: not the
        tokens of a sequence), the largest class is at least 8x the smallest or holds 85 % of
        the labels, and the loss has no ``weight=``/``pos_weight=`` (nor ``reduction="none"``,
        which leaves the weighting to the script). After the first quarter of the run and its
        first ``warmup`` (100) steps, where every classifier learns the class prior and answers
        the majority, the model gives the rare classes (those at most 1/8 of the largest; with
        two classes, the minority) fewer than half as many answers as they have examples, and
        the shortfall is not chance (Poisson, p < 0.01). Judged on the evaluation passes when
        the script computes a validation loss (each one of that stretch must show it; the last
        is counted), else on the pooled sampled training batches; not before ``min_steps``.
    Why it matters:
        An unweighted loss is lowest when the model answers the majority whenever in doubt:
        accuracy looks fine while most of the rare class, often the one that matters (fraud,
        a disease), is missed. Answers fewer than half the examples bounds its recall below 50 %.
    Fix:
        Weight the loss by inverse class frequency (``pos_weight`` for BCE) or resample, and
        track the rare classes' recall.
    """

    id = "class-imbalance"
    severity = Severity.WARNING
    title = "The model neglects the rare classes"
    requires = frozenset({"loss_inputs"})
    retractable = True  # a state of the run: a model that learns the rare classes later outgrows it

    def __init__(
        self,
        min_steps: int = 150,
        warmup: int = 100,
        min_examples: int = 200,
        min_rare: int = 8,
        under: float = 0.5,
        p_value: float = 0.01,
    ) -> None:
        if not 0 < under < 1:
            raise ValueError(f"under is a share of the rare examples in (0, 1), got {under}")
        self.min_steps = min_steps
        self.warmup = warmup
        self.min_examples = min_examples
        self.min_rare = min_rare
        self.under = under
        self.p_value = p_value

    def check(self, view):
        if view.last_step < self.min_steps:
            return
        streams: dict[tuple, list] = defaultdict(list)
        for e in view.events("loss_call"):
            d = e.data
            if d.get("class_weighted") or d.get("reduction") == "none":
                return  # the script weighs the classes (or each example) itself
            if "class_counts" in d:
                streams[(d.get("fn"), len(d["class_counts"]))].append(e)
        evaluations: dict[tuple, list] = defaultdict(list)
        for e in view.events("val_class_counts"):
            evaluations[(e.data.get("fn"), len(e.data["class_counts"]))].append(e)
        if not streams and not evaluations:
            return
        (fn, k), calls = max(streams.items() or evaluations.items(), key=lambda kv: len(kv[1]))
        totals = np.sum([e.data["class_counts"] for e in calls], axis=0)
        if totals.sum() < self.min_examples or not imbalanced(totals.tolist()):
            return
        top = int(totals.max())
        rare = [c for c in range(k) if totals[c] > 0 and totals[c] * IMBALANCE_RATIO <= top]
        if not rare:
            rare = [c for c in range(k) if totals[c] > 0 and c != int(totals.argmax())]
        found = self._neglected(view, evaluations.get((fn, k), []), rare, validation=True) or self._neglected(
            view, calls if streams else [], rare, validation=False
        )
        if found is None:
            return
        window, examples, targets, answers, p = found
        share = float(totals[rare].sum() / totals.sum())
        named = f"class {rare[0]}" if len(rare) == 1 else "classes " + ", ".join(map(str, rare))
        validation = window[0].name == "val_class_counts"
        evidence = {
            "rare_classes": rare,
            "rare_share": share,
            "class_counts": totals.tolist(),
            "ratio": top / max(int(totals[totals > 0].min()), 1),
            "loss_function": fn,
            "judged_on": "validation" if validation else "training batches",
            "examples": examples,
            "rare_examples": targets,
            "rare_answers": answers,
            "recall_at_most": answers / targets,
            "from_step": window[0].step,
            "to_step": window[-1].step,
            "p_value": p,
        }
        where = (
            f"at the evaluation after step {window[-1].step}"
            if validation
            else f"in the sampled batches from step {window[0].step} to {window[-1].step}"
        )
        message = (
            f"{named.capitalize()} {'is' if len(rare) == 1 else 'are'} {share:.1%} of the training targets "
            f"(the largest class is {evidence['ratio']:.3g}x the smallest), and {fn} weights no class. "
            f"{where.capitalize()} the model answered {named} for {answers} of {examples} examples, {targets} of which "
            f"{'are' if validation else 'were'} {named}: it finds at most {answers / targets:.0%} of them, and accuracy hides it."
        )
        fix = BCE_FIX if k == 2 and fn.startswith("binary") else CE_FIX
        yield self.finding(message, fix, step=window[0].step, evidence=evidence)

    def _neglected(self, view, events, rare, validation):
        """When the model answers the rare classes less than ``under`` times as often as they
        occur: the events after the first quarter of the run (and ``warmup`` steps), the
        examples, rare examples and answers judged, and the shortfall's p-value; else None. On
        validation, each evaluation must show it and the last one is judged (every evaluation
        scores the same examples); training batches are pooled."""
        window = [e for e in events if e.step >= max(self.warmup, view.last_step / 4)]
        if not window or (not validation and len(window) < 2):
            return None

        def tally(es):
            t = int(sum(e.data["class_counts"][c] for e in es for c in rare))
            a = int(sum(e.data["pred_class_counts"][c] for e in es for c in rare))
            return t, a

        if validation and any(a >= self.under * t for t, a in (tally([e]) for e in window)):
            return None
        judged = window[-1:] if validation else window
        targets, answers = tally(judged)
        if targets < self.min_rare or answers >= self.under * targets:
            return None
        p = poisson_cdf(answers, targets)
        examples = int(sum(sum(e.data["class_counts"]) for e in judged))
        return (window, examples, targets, answers, p) if p < self.p_value else None
