"""params-not-updated: a layer left out of the optimizer and a stale optimizer are found; frozen-by-omission is info."""

from __future__ import annotations

import pytest
from _gradient_runs import dump, found
from _gradient_runs import run as run_once

from nndoctor.findings import Severity
from nndoctor.rules.gradients.params_not_updated import ParamsNotUpdated
from nndoctor.trace import Trace


def test_layer_left_out_of_the_optimizer():
    script = "buggy/params-not-updated_layer_left_out.py"
    hits = found(script, "params-not-updated")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert (f.where, f.severity) == ("model.fc2", Severity.ERROR)
    assert f.evidence["params"] == ["model.fc2.weight", "model.fc2.bias"]
    assert f.evidence["modules_in_optimizer"] == ["model.fc1"]
    assert "model.parameters()" in f.fix


def test_step_called_before_backward_is_named_as_such():
    # zero_grad(); step(); forward; backward(): the same cycle of calls as a zero_grad() between
    # backward() and step(), told apart by the loop's first step coming before any backward.
    script = "buggy/params-not-updated_step_before_backward_cnn.py"
    hits = found(script, "params-not-updated")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["step_before_backward"] is True
    assert "step() runs before loss.backward()" in f.message
    assert "loss.backward()\noptimizer.step()" in f.fix
    # the outputs never change because the weights never do: not a collapse with its own cause
    assert "constant-output" not in {g.id for g in run_once(script).findings}


def test_zero_grad_between_backward_and_step_keeps_its_own_words():
    script = "buggy/params-not-updated_zero_grad_before_step.py"
    (f,) = found(script, "params-not-updated")
    assert "step_before_backward" not in f.evidence
    assert "zero_grad() runs after loss.backward() and before" in f.message


def test_optimizer_built_before_the_head_was_replaced():
    script = "buggy/params-not-updated_replaced_head.py"
    hits = found(script, "params-not-updated")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert (f.where, f.severity) == ("model.head", Severity.ERROR)
    assert f.evidence["optimizer_params_not_in_model"] == 2  # the old head's weight and bias
    assert "replaced" in f.message and "after" in f.fix


def test_optimizer_built_once_before_a_k_fold_loop_recreates_the_model():
    script = "buggy/params-not-updated_kfold_stale_optimizer.py"
    hits = found(script, "params-not-updated")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert (f.where, f.severity) == ("model", Severity.ERROR)  # the whole re-created model, not one layer
    assert f.evidence["modules"] == ["model.0", "model.2"] and f.evidence["modules_in_optimizer"] == []
    assert f.evidence["optimizer_params_not_in_model"] == 4  # the first fold's model


def test_a_model_created_again_after_a_sanity_check_forward_is_found():
    # the first model ran once (initial loss under no_grad), so both models were watched under the
    # name "model": the first one's parameters, still in the optimizer, must not keep that name
    script = "buggy/params-not-updated_model_recreated_after_sanity_check.py"
    hits = found(script, "params-not-updated")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "model" and f.evidence["modules_in_optimizer"] == []
    assert f.evidence["optimizer_params_not_in_model"] == 4
    assert "created again" in f.message and "make_model(); optimizer" in f.fix
    assert not found(script, "params-without-grad")  # (the optimizer's parameters are no watched model's)


def test_the_twin_that_builds_the_optimizer_after_re_creating_is_quiet():
    script = "clean/model_recreated_then_optimizer_built.py"
    assert not found(script, "params-not-updated") and not found(script, "params-without-grad")


def test_healthy_runs_have_no_warning_or_error(clean_results):
    for name, result in clean_results.items():
        bad = [f for f in result.findings if f.id == "params-not-updated" and f.severity != Severity.INFO]
        assert not bad, name


def test_a_backbone_left_out_of_the_optimizer_is_only_info(clean_results):
    (f,) = [f for f in clean_results["head_only_optimizer"].findings if f.id == "params-not-updated"]
    assert f.severity == Severity.INFO and f.evidence["leading_block"] is True
    assert "requires_grad_(False)" in f.fix


def _view(norms):
    trace = Trace()
    trace.event("structure", 0, model="model", layers=[{"name": "model.a", "type": "Linear", "params": 1},
                                                       {"name": "model.b", "type": "Linear", "params": 1}])  # fmt: skip
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.1}],
                shapes={"model.a.weight": [2, 2]})  # fmt: skip
    trace.event("params_not_in_optimizer", 0, names=["model.b.weight"])
    for i, norm in enumerate(norms):
        trace.scalar("params_not_in_optimizer", 10 * i, 1.0)
        trace.scalar("orphan_param_norm", 10 * i, norm, "model.b.weight")
    return trace.view(final=True)


def test_parameters_updated_by_hand_are_not_reported():
    assert len(list(ParamsNotUpdated().check(_view([2.0, 2.0, 2.0, 2.0])))) == 1
    assert list(ParamsNotUpdated().check(_view([2.0, 1.9, 1.8, 1.7]))) == []  # a manual update moves them


@pytest.mark.parametrize(
    "script,evidence",
    [
        ("buggy/params-not-updated_step_never_called.py", "backward_calls"),  # optimizer.step() never runs
        ("buggy/params-not-updated_zero_grad_before_step.py", "since_step"),  # backward(); zero_grad(); step()
    ],
)
def test_gradients_that_never_reach_an_update(script, evidence):
    hits = found(script, "params-not-updated")
    assert len(hits) == 1 and hits[0].severity is Severity.ERROR, dump(script)
    assert evidence in hits[0].evidence and "```" in hits[0].fix
    assert not found(script, "params-without-grad")  # the loss is connected: the loop order is the bug


def _loop(order: str, steps: int = 40) -> list:
    """A small regression trained with the calls in ``order``: z(ero_grad), b(ackward), s(tep), m(anual)."""
    import torch
    from torch import nn

    import nndoctor

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(64, 4), torch.randn(64, 1)
    doctor = nndoctor.watch(model, opt, live=False)
    try:
        for _ in range(steps):
            loss = torch.nn.functional.mse_loss(model(x), y)
            for call in order:
                if call == "z":
                    opt.zero_grad()
                elif call == "b":
                    loss.backward(retain_graph=True)
                elif call == "s":
                    opt.step()
                elif call == "m":
                    with torch.no_grad():
                        for p in model.parameters():
                            p -= 0.05 * p.grad
    finally:
        doctor.stop()
    return [f.id for f in doctor.findings if f.severity is not Severity.INFO]


def test_legitimate_orders_are_quiet():
    assert _loop("zbs") == []  # the textbook loop
    assert _loop("bsz") == []  # zero_grad after step
    assert _loop("zbbs") == []  # two backward passes accumulate
    assert _loop("zbm") == []  # zero_grad for convenience, a hand-written update
    assert _loop("bzbs") == []  # a first backward for something else, cleared, then the real one


def test_reordered_and_missing_steps_are_found():
    assert "params-not-updated" in _loop("bzs")
    assert "params-not-updated" in _loop("zb")


def test_a_long_accumulation_before_the_first_step_is_not_a_missing_step():
    """Judged live, before any step: 30 backward passes after one zero_grad() is accumulation."""
    from nndoctor.rules.gradients.params_not_updated import ParamsNotUpdated
    from nndoctor.trace import Trace

    def view(zero_grads: int):
        trace = Trace()
        data = {"backward_calls": 30, "zero_grad_calls": zero_grads, "optimizers": 1, "params": 4}
        trace.event("never_stepped", 0, params_unchanged=True, **data)
        return trace.view()

    assert list(ParamsNotUpdated().check(view(zero_grads=1))) == []
    (f,) = ParamsNotUpdated().check(view(zero_grads=30))
    assert f.evidence["backward_calls"] == 30 and f.severity is Severity.ERROR


def test_embeddings_left_out_of_parameter_groups_are_an_error_not_a_frozen_backbone():
    # AdamW groups by module type miss nn.Embedding and a positional nn.Parameter: two tensors ahead
    # of a larger trained stack (6 tensors), at their random initialisation, not a frozen backbone
    hits = found("buggy/params-not-updated_adamw_groups_skip_embedding.py", "params-not-updated")
    (f,) = hits
    assert f.severity is Severity.ERROR and "leading_block" not in f.evidence
    assert set(f.evidence["params"]) == {"model.pos", "model.emb.weight"}
    assert "random initialisation" in f.message


@pytest.mark.parametrize(
    ("script", "where"),
    [
        ("buggy/params-not-updated_head_swapped_after_pretraining.py", "model.head"),  # frozen backbone: loss flat
        ("buggy/params-not-updated_head_swapped_finetune.py", "net.classifier"),  # the backbone adapts around it
    ],
)
def test_a_head_replaced_after_the_model_trained_is_named_as_the_models(script, where):
    # The model was registered (and named) in its first stage; the new head must be found as the
    # model's layer, and the old head's parameters the optimizer holds must not pass for it
    # (they were reported as a loss disconnected from the model, or a graph cut after the head).
    ids = {f.id for f in run_once(script).findings}
    assert "params-without-grad" not in ids, dump(script)
    (f,) = found(script, "params-not-updated")
    assert (f.where, f.severity) == (where, Severity.ERROR)
    assert f.evidence["params"] == [f"{where}.weight", f"{where}.bias"]
    assert f.evidence["optimizer_params_not_in_model"] == 2
    assert "replaced" in f.message and "after" in f.fix
