"""output-activation-mismatch: final activations that clash with the loss or the targets."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from conftest import run_zoo
from nndoctor.findings import Severity


@pytest.mark.parametrize(
    "script,where,activation,functional,severity",
    [
        ("buggy/output-activation-mismatch_relu_before_ce.py", "model.3", "relu", False, Severity.WARNING),
        # an nn.Sigmoid module's output squeezed in forward, into BCEWithLogitsLoss: the module is named
        (
            "buggy/output-activation-mismatch_sigmoid_module_squeezed.py",
            "model.act",
            "sigmoid",
            False,
            Severity.WARNING,
        ),
        ("buggy/output-activation-mismatch_sigmoid_bcewithlogits.py", "model.fc2", "sigmoid", True, Severity.WARNING),
        ("buggy/output-activation-mismatch_softmax_one_unit.py", "model.3", "softmax", False, Severity.ERROR),
        ("buggy/output-activation-mismatch_sigmoid_regression.py", "model.3", "sigmoid", False, Severity.WARNING),
        ("buggy/output-activation-mismatch_relu_regression_head.py", "model.3", "relu", False, Severity.WARNING),
        ("buggy/output-activation-mismatch_nll_on_raw_logits.py", "model.2", None, False, Severity.ERROR),  # NLLLoss
        ("buggy/output-activation-mismatch_nll_on_softmax.py", "model.5", "softmax", False, Severity.WARNING),  # CNN
        ("buggy/output-activation-mismatch_tanh_logits_ce.py", "model.3", "tanh", False, Severity.WARNING),
        # a CNN whose forward() ends in torch.sigmoid(logits), into nn.CrossEntropyLoss
        ("buggy/output-activation-mismatch_sigmoid_then_ce_cnn.py", "model.fc", "sigmoid", True, Severity.WARNING),
        # a multi-label tagger whose forward() returns torch.sigmoid(...), into BCEWithLogitsLoss
        (
            "buggy/output-activation-mismatch_multilabel_double_sigmoid.py",
            "model.body.2",
            "sigmoid",
            True,
            Severity.WARNING,
        ),
    ],
)
def test_clashing_final_activations_are_found(script, where, activation, functional, severity):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "output-activation-mismatch"]
    assert (f.where, f.evidence["final_activation"], f.evidence["functional"]) == (where, activation, functional)
    assert f.severity is severity and "```" in f.fix


@pytest.mark.parametrize(
    "script",
    ["buggy/output-activation-mismatch_multilabel_double_sigmoid.py", "buggy/double-softmax_gru_softmax_head.py"],
)
def test_a_squeezed_loss_is_not_also_called_a_plateau_or_unfinished(script):
    # The double sigmoid / softmax leaves the loss a floor well above zero (tags are learned: 86%
    # right against 55% for the majority), so "learns nothing" and "train longer" would both mislead.
    result = run_zoo(script)
    assert {f.id for f in result.findings} & {"loss-plateau", "still-improving"} == set()


def test_a_log_softmax_over_the_batch_is_named_and_not_also_called_a_plateau():
    # A CNN's log_softmax(dim=0) into NLLLoss: the model classifies (95% validation accuracy in a
    # longer run) while the loss sits near ln 10, a level that means nothing for such a loss.
    result = run_zoo("buggy/output-activation-mismatch_log_softmax_over_batch_cnn.py")
    (f,) = [f for f in result.findings if f.id == "output-activation-mismatch"]
    assert f.where == "model.fc2" and f.evidence["log_softmax_dim"] == 0
    assert "loss-plateau" not in {x.id for x in result.findings}


def test_a_softmax_over_the_batch_under_a_log_is_named():
    # A wine MLP: torch.log(F.softmax(scores, dim=0) + eps) into NLLLoss. The clean twin
    # (wine_softmax_then_log_nll, dim=1 and a clamp) must stay silent.
    result = run_zoo("buggy/output-activation-mismatch_softmax_over_batch_then_log_wine.py")
    (f,) = [f for f in result.findings if f.id == "output-activation-mismatch"]
    assert f.where == "model.out" and f.evidence["log_softmax_dim"] == 0 and f.severity is Severity.ERROR
    assert "the batch" in f.message and "dim=1" in f.fix


def test_tanh_logits_report_the_lowest_reachable_loss():
    result = run_zoo("buggy/output-activation-mismatch_tanh_logits_ce.py")
    (f,) = [f for f in result.findings if f.id == "output-activation-mismatch"]
    # 10 classes, scores in [-1, 1]: ln(1 + 9 e^-2) ~ 0.80 even when every prediction is right
    assert f.evidence["min_reachable_loss"] == pytest.approx(0.797, abs=1e-3)
    assert "Tanh" in f.message and "logits" in f.fix


def test_healthy_runs_have_matching_outputs(clean_results):
    # Includes sigmoid + BCE, a hand-written log-softmax + NLL, and log-softmax-free logits.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "output-activation-mismatch"], name


def _findings(forward, loss_name, target, steps=3):
    """Findings for a linear layer, then ``forward``, then ``F.<loss_name>`` (looked up while watched)."""
    torch.manual_seed(0)
    fc = nn.Linear(6, 4)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = fc

        def forward(self, x):
            return forward(self.fc(x))

    model = M()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with nndoctor.watch(model, opt, live=False) as doctor:
        for _ in range(steps):
            loss = getattr(F, loss_name)(model(torch.randn(16, 6)), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f for f in doctor.findings if f.id == "output-activation-mismatch"]


def test_nll_loss_needs_log_probabilities_over_the_classes():
    y = torch.randint(0, 4, (16,))
    (f,) = _findings(lambda z: z, "nll_loss", y)  # raw scores
    assert f.severity is Severity.ERROR and "log_softmax" in f.fix
    (f,) = _findings(lambda z: F.log_softmax(z, dim=0), "nll_loss", y)  # over the batch
    assert f.evidence["log_softmax_dim"] == 0
    (f,) = _findings(lambda z: F.softmax(z, dim=1), "nll_loss", y)  # probabilities
    assert "log-probabilities" in f.message
    assert _findings(lambda z: F.log_softmax(z, dim=-1), "nll_loss", y) == []
    assert _findings(lambda z: z, "cross_entropy", y) == []
    assert _findings(lambda z: F.log_softmax(z, dim=1), "cross_entropy", y) == []  # redundant, harmless


def test_bounded_outputs_only_clash_with_targets_outside_their_range():
    inside = torch.rand(16, 4)
    assert _findings(torch.sigmoid, "mse_loss", inside) == []
    assert _findings(torch.relu, "l1_loss", inside * 5) == []
    (f,) = _findings(torch.tanh, "mse_loss", inside * 4)
    assert f.evidence["activation_range"] == "(-1, 1)"


def test_probabilities_into_kl_div_get_a_kl_div_fix():
    # A distillation student whose softmax output goes into KLDivLoss: the fix keeps kl_div and
    # gives it log_softmax (an nll_loss rewrite would drop the teacher's soft targets).
    result = run_zoo("buggy/output-activation-mismatch_kl_div_on_probabilities.py")
    (f,) = [f for f in result.findings if f.id == "output-activation-mismatch"]
    assert f.evidence["final_activation"] == "softmax" and "kl_div" in f.message
    assert "F.kl_div(F.log_softmax(" in f.fix and "nll_loss" not in f.fix
