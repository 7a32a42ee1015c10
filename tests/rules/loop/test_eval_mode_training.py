"""eval-mode-training: steps taken with the model left in eval mode; frozen parts are fine."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.monitor.monitor import Monitor
from nndoctor.rules.loop.eval_mode_training import EvalModeTraining
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,root,first_step,types",
    [
        # model.eval() for validation after epoch 1, model.train() only before the epoch loop
        ("buggy/eval-mode-training_cnn_digits.py", "model", 30, {"BatchNorm2d", "Dropout"}),
        # net.eval() right after construction, trained that way from step 0
        ("buggy/eval-mode-training_mlp_dropout.py", "net", 0, {"Dropout"}),
        # a validate() helper calls model.eval(); model.train() only once before the loop (wine, BN + dropout)
        ("buggy/eval-mode-training_validate_helper.py", "model", 9, {"BatchNorm1d", "Dropout"}),
        # a 1-D CNN validated every 20 batches inside the epoch; model.train() only at each epoch's start
        ("buggy/eval-mode-training_conv1d_bn_periodic_eval.py", "model", 20, {"BatchNorm1d", "Dropout"}),
        # `model.train` without parentheses at each epoch's start: eval() from the first validation on
        ("buggy/eval-mode-training_train_without_parens.py", "model", 9, {"BatchNorm1d", "Dropout"}),
    ],
)
def test_training_in_eval_mode_is_found(script, root, first_step, types):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "eval-mode-training"]
    assert f.severity is Severity.WARNING and f.where == root
    assert f.step == first_step == f.evidence["first_step"]
    assert set(f.evidence["module_types"]) == types
    assert f.evidence["steps_seen_in_eval_mode"] >= 5
    assert f"{root}.train()" in f.fix


def test_frozen_parts_and_eval_mode_attacks_are_not_accused(clean_results):
    # frozen backbone in eval mode; BN frozen inside a train-mode model; FGSM crafted in eval mode
    for name in ("frozen_backbone", "frozen_bn_finetune", "adversarial_fgsm"):
        assert name in clean_results
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "eval-mode-training"], name


def test_the_forward_the_step_followed_decides():
    """An eval-mode forward followed by a train-mode one before the step is not accused;
    the same model stepping after eval-mode forwards is."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor(rules=[EvalModeTraining()])
    with monitor:
        for step in range(30):
            model.eval()
            model(torch.randn(4, 4)).sum()  # e.g. crafting an input
            if step < 15:
                model.train()
            opt.zero_grad()
            model(torch.randn(4, 4)).pow(2).mean().backward()
            opt.step()
    (f,) = monitor.findings
    assert (
        f.id == "eval-mode-training" and f.step == 15 and f.evidence["modules_in_eval_mode"] == {"model.1": "Dropout"}
    )


def _events(n, root_training=False):
    trace = Trace()
    for step in range(n):
        trace.event("eval_mode_step", step, root="model", root_training=root_training, modules={"model.2": "Dropout"})
    return trace


def test_rule_needs_two_steps_with_the_root_in_eval_mode():
    assert list(EvalModeTraining().check(_events(1).view())) == []
    assert list(EvalModeTraining().check(_events(5, root_training=True).view())) == []
    (f,) = EvalModeTraining().check(_events(2).view())
    assert f.evidence["steps_seen_in_eval_mode"] == 2
