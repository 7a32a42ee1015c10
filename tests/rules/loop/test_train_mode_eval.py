"""train-mode-eval: no-grad evaluation with dropout/batch norm active; teachers, generators,
MC-dropout and update_bn are fine."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loop.train_mode_eval import TrainModeEval
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,root,types,first_step,evaluations",
    [
        ("buggy/train-mode-eval_mlp_dropout.py", "model", {"Dropout"}, 22, 3),  # validation loss with dropout on
        ("buggy/train-mode-eval_cnn_batchnorm.py", "net", {"BatchNorm2d"}, 24, 3),  # accuracy with batch stats
        # a transformer encoder's dropout left on for per-epoch validation (found live at the first one)
        ("buggy/train-mode-eval_transformer_dropout.py", "model", {"Dropout"}, 20, 1),
    ],
)
def test_evaluation_in_train_mode_is_found(script, root, types, first_step, evaluations):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "train-mode-eval"]
    assert f.severity is Severity.WARNING and f.where == root and f.step == first_step
    assert set(f.evidence["module_types"]) == types
    assert len(f.evidence["evaluation_steps"]) >= evaluations  # one per epoch
    assert f"{root}.eval()" in f.fix


def test_teachers_generators_mc_dropout_and_update_bn_are_not_accused(clean_results):
    for name in ("teacher_mc_dropout", "gan_mixture", "frozen_bn_finetune", "cnn_bn_dropout", "swa_update_bn"):
        assert name in clean_results
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "train-mode-eval"], name


def _trace(steps, root="model", repeated=False, root_training=True, trained=("model",), loss_roots=("model",)):
    trace = Trace()
    for r in trained:
        trace.event("trained_root", 0, root=r)
    for r in loss_roots:
        trace.event("loss_root", 0, root=r)
    for s in steps:
        trace.event(
            "train_mode_eval",
            s,
            root=root,
            root_training=root_training,
            modules={"model.1": "Dropout"},
            repeated=repeated,
        )
    return trace


def test_rule_accuses_only_trained_loss_feeding_roots_in_train_mode():
    check = TrainModeEval().check
    assert len(list(check(_trace([20, 40]).view()))) == 1
    assert list(check(_trace([20, 40], root="teacher").view())) == []  # never trained
    assert list(check(_trace([20, 40], loss_roots=("critic",), trained=("model", "critic")).view())) == []  # generator
    assert list(check(_trace([20, 40], repeated=True).view())) == []  # MC-dropout: same input again
    assert list(check(_trace([20, 40], root_training=False).view())) == []  # dropout enabled on purpose
    assert list(check(_trace([0, 1, 2, 3, 4, 5]).view())) == []  # a no-grad pass at every step: in the loop
    # no loss function seen (custom loss): a single trained model is still judged
    assert len(list(check(_trace([20, 40], loss_roots=()).view()))) == 1


def test_functional_dropout_without_training_flag_is_found():
    result = run_zoo("buggy/train-mode-eval_functional_dropout.py")
    (f,) = [f for f in result.findings if f.id == "train-mode-eval"]
    assert f.severity is Severity.WARNING and f.where == "model"
    assert f.evidence["function"] == "F.dropout" and f.evidence["p"] == 0.5
    assert "training=self.training" in f.fix


@pytest.mark.parametrize("follows_mode", [True, False, "alpha"])
def test_functional_dropout_that_follows_the_mode_or_is_mc_dropout_is_fine(follows_mode):
    """``training=self.training`` switches off with eval(); ``training=True`` written out may be MC
    dropout (a note, in case it is the bug: dropout forced on in every evaluation);
    ``F.alpha_dropout(x, p)`` defaults to ``training=False``: off unless asked."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    import nndoctor

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(8, 32), nn.Linear(32, 3)

        def forward(self, x):
            h = F.relu(self.fc1(x))
            if follows_mode == "alpha":
                return self.fc2(F.alpha_dropout(h, 0.3))
            training = self.training if follows_mode else True  # True written out: MC dropout
            return self.fc2(F.dropout(h, 0.3, training=training))

    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(64, 8), torch.randint(0, 3, (64,))
    doctor = nndoctor.watch(model, opt, live=False)
    try:
        for _epoch in range(3):
            model.train()
            for _ in range(10):
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                model(x)
    finally:
        doctor.stop()
    found = [f for f in doctor.findings if f.id == "train-mode-eval"]
    if follows_mode is False:  # forced on: a note that names it, never a warning
        (f,) = found
        assert f.severity is Severity.INFO and f.evidence["forced_on"] and "training=True" in f.message
    else:
        assert not found
