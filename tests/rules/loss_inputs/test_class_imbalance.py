"""class-imbalance (live): imbalanced labels, an unweighted loss, and a model that all but never
answers the rare classes; weighted losses, separable classes and token targets stay quiet."""

from __future__ import annotations

import pytest
import torch

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.monitor.monitor import Monitor
from nndoctor.rules.loss.class_imbalance import LiveClassImbalance, poisson_cdf
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,rare,judged_on,fix",
    [
        ("buggy/class-imbalance_unweighted_bce_rare_positives.py", [1], "training batches", "pos_weight="),
        ("buggy/class-imbalance_unweighted_ce_rare_digits.py", [5, 6, 7, 8, 9], "validation", "weight="),
    ],
)
def test_rare_classes_the_model_never_answers_are_found(script, rare, judged_on, fix):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "class-imbalance"]
    ev = f.evidence
    assert f.severity is Severity.WARNING
    assert ev["rare_classes"] == rare and ev["judged_on"] == judged_on
    assert ev["rare_answers"] < 0.5 * ev["rare_examples"] and ev["p_value"] < 0.01
    assert ev["ratio"] >= 8 and ev["from_step"] >= 100
    assert fix in f.fix


def test_healthy_runs_do_not_fire(clean_results):
    # Includes class-weighted CE, BCE with pos_weight, a focal loss (reduction="none"), and
    # separable imbalanced classes the unweighted model finds (imbalanced_separable_unweighted_...).
    for name, result in clean_results.items():
        assert not [f for f in result.findings + result.resolved if f.id == "class-imbalance"], name
    assert "imbalanced_separable_unweighted_breast_cancer" in clean_results


def _loss_calls(model, loss, steps=3):
    """The ``loss_call`` events of a few steps of ``loss()`` under a monitor of ``model``."""
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    with Monitor([model], rules=[LiveClassImbalance()]) as monitor:
        for _ in range(steps):
            opt.zero_grad()
            loss().backward()
            opt.step()
    return [e.data for e in monitor.trace.view(final=True).events("loss_call")]


def _calls(answers_after: int, steps=range(0, 400, 20), weighted=False, reduction=None):
    """Sampled BCE calls of 64 examples, 4 of them positive; the model answers positive for none
    of them before step ``answers_after`` and for all of them from there on."""
    t = Trace()
    for s in steps:
        data = {"fn": "binary_cross_entropy_with_logits", "class_counts": [60, 4]}
        data["pred_class_counts"] = [60, 4] if s >= answers_after else [64, 0]
        if weighted:
            data["class_weighted"] = True
        if reduction:
            data["reduction"] = reduction
        t.event("loss_call", s, **data)
    t.scalar("loss", steps[-1], 0.1)
    return t


def test_the_first_steps_and_a_model_that_learns_the_rare_class_are_not_judged():
    rule = LiveClassImbalance()
    assert list(rule.check(_calls(answers_after=10**6).view(final=True)))  # never answered: found
    assert not list(rule.check(_calls(answers_after=100).view(final=True)))  # the prior phase only
    assert not list(rule.check(_calls(10**6, steps=range(0, 140, 10)).view()))  # too early to tell


@pytest.mark.parametrize("kw", [{"weighted": True}, {"reduction": "none"}])
def test_a_loss_that_weighs_the_classes_is_left_alone(kw):
    assert not list(LiveClassImbalance().check(_calls(10**6, **kw).view(final=True)))


def test_the_shortfall_must_be_more_than_chance():
    assert poisson_cdf(0, 8) == pytest.approx(3.35e-4, rel=1e-2)
    assert poisson_cdf(5, 12) > 0.01  # 5 answers for 12 examples: could be a model at its rate


def test_counts_are_taken_per_example_not_per_token():
    """A tagger's flattened (tokens, classes) predictions of token-id inputs are not counted (a
    vocabulary's skew is the language's); a float input's one prediction per example is."""
    torch.manual_seed(0)
    tagger = torch.nn.Sequential(torch.nn.Embedding(20, 8), torch.nn.Linear(8, 5))
    tokens, tags = torch.randint(0, 20, (4, 6)), torch.randint(0, 5, (24,))
    calls = _loss_calls(tagger, lambda: torch.nn.functional.cross_entropy(tagger(tokens).reshape(24, 5), tags))
    assert calls and not [d for d in calls if "class_counts" in d]

    mlp = torch.nn.Linear(3, 2)
    x, y = torch.randn(16, 3), torch.tensor([0] * 15 + [1])
    calls = _loss_calls(mlp, lambda: torch.nn.functional.cross_entropy(mlp(x), y))
    counted = [d for d in calls if "class_counts" in d]
    assert counted and counted[0]["class_counts"] == [15, 1] and sum(counted[0]["pred_class_counts"]) == 16
