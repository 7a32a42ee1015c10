"""wrong-loss (live): a hand-written objective whose sign is flipped rewards the wrong class."""

from __future__ import annotations

import pytest
import torch

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.inverted_objective import InvertedObjective
from nndoctor.trace import Trace
from nndoctor.trace.record import load_record


def _inverted(result):
    return [f for f in result.findings if f.id == "wrong-loss" and f.title == InvertedObjective.title]


def test_a_minimised_soft_accuracy_is_found_and_training_longer_is_not_advised():
    # probs.gather(1, y[:, None]).mean() minimised with Adam on the digits: accuracy goes to 0
    result = run_zoo("buggy/wrong-loss_soft_accuracy_minimised_digits.py")
    (f,) = _inverted(result)
    ev = f.evidence
    assert f.severity is Severity.ERROR and ev["objective"] == "gather of softmax" and ev["classes"] == 10
    assert ev["recent_accuracy"] <= 0.05 < ev["first_accuracy"]
    assert ev["recent_picked_probability"] < 0.5 * ev["first_picked_probability"]
    assert "1 - probs.gather" in f.fix
    assert "still-improving" not in {x.id for x in result.findings}  # more epochs would make it worse


def test_a_negative_log_likelihood_without_its_minus_is_found():
    # logp[arange(n), y].mean() minimised with SGD on wine (three classes, a tanh MLP)
    result = run_zoo("buggy/wrong-loss_log_prob_minimised_wine.py")
    (f,) = _inverted(result)
    assert f.evidence["objective"] == "indexing of softmax" and f.evidence["classes"] == 3
    assert f.evidence["recent_accuracy"] < 1 / 6


@pytest.mark.parametrize(
    ("script", "objective"),
    [
        ("clean/hand_written_nll_gather.py", "gather of softmax"),
        ("clean/soft_accuracy_one_hot_breast_cancer.py", "one-hot product of softmax"),
    ],
)
def test_hand_written_objectives_with_the_right_sign_are_measured_and_pass(script, objective, tmp_path):
    result = run_zoo(script, log_dir=tmp_path)
    assert not _inverted(result)
    view = load_record(result.record_dir).trace.view()
    assert view.keys("picked_accuracy") == [objective]  # measured, and judged: the labelled class won
    assert view.series("picked_accuracy", objective).values[-1] > 0.8


def _view(accuracy, probability, classes=10):
    trace = Trace()
    for i, (a, p) in enumerate(zip(accuracy, probability, strict=True)):
        trace.scalar("picked_accuracy", 10 * i, a, "gather of softmax")
        trace.scalar("picked_probability", 10 * i, p, "gather of softmax")
        trace.scalar("picked_classes", 10 * i, float(classes), "gather of softmax")
    return trace.view()


def test_three_signals_are_needed():
    rule = InvertedObjective()
    assert len(list(rule.check(_view([0.1, 0.05, 0.02, 0.0, 0.0], [0.1, 0.08, 0.05, 0.03, 0.02])))) == 1
    # too few measurements
    assert not list(rule.check(_view([0.1, 0.0, 0.0], [0.1, 0.03, 0.02])))
    # accuracy at chance (shuffled labels), however the probability moves
    assert not list(rule.check(_view([0.1, 0.1, 0.09, 0.1, 0.11], [0.1, 0.05, 0.03, 0.02, 0.02])))
    # accuracy low but the labelled class's probability holds (a hard task early on)
    assert not list(rule.check(_view([0.1, 0.04, 0.03, 0.03, 0.02], [0.1, 0.09, 0.09, 0.08, 0.08])))
    # two classes: chance is 50%, below 25% is needed
    assert not list(rule.check(_view([0.5, 0.4, 0.3, 0.3, 0.3], [0.5, 0.2, 0.2, 0.2, 0.2], classes=2)))
    assert len(list(rule.check(_view([0.5, 0.3, 0.1, 0.1, 0.1], [0.5, 0.2, 0.1, 0.1, 0.1], classes=2)))) == 1


def _digits_run(objective, steps=60):
    from sklearn.datasets import load_digits
    from torch import nn

    from nndoctor.monitor.monitor import Monitor

    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X, y = torch.tensor(X[:512] / 16.0, dtype=torch.float32), torch.tensor(y[:512])
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    monitor = Monitor([model], [opt])
    with monitor:
        for step in range(steps):
            idx = torch.arange(step * 8 % 448, step * 8 % 448 + 64)
            loss = objective(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return monitor


def test_a_likelihood_and_an_unlikelihood_term_are_not_read():
    # -log p(label) - log(1 - p(a wrong class)): pushing a class down is the point of the second
    # term; with two picks the objective's intent is not read at all
    def objective(logits, y):
        logp = torch.log_softmax(logits, dim=1)
        wrong = (y + 1) % 10
        return -logp.gather(1, y[:, None]).mean() - torch.log1p(-logp.gather(1, wrong[:, None]).exp()).mean()

    monitor = _digits_run(objective)
    assert monitor.trace.view().keys("picked_accuracy") == []
    assert "wrong-loss" not in {f.id for f in monitor.findings}


def test_the_minimised_soft_accuracy_is_seen_in_a_watched_loop_too():
    monitor = _digits_run(lambda logits, y: logits.softmax(1)[torch.arange(len(y)), y].mean())
    assert monitor.trace.view().keys("picked_accuracy") == ["indexing of softmax"]
    assert "wrong-loss" in {f.id for f in monitor.findings}
