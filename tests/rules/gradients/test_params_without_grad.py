"""params-without-grad: a cut graph, an unused layer and a disconnected loss are told apart and named."""

from __future__ import annotations

import pytest
from _gradient_runs import dump, found

from nndoctor.findings import Severity
from nndoctor.rules.gradients.params_without_grad import ParamsWithoutGrad
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,where,severity,params,word",
    [
        # h = self.encoder(x).detach(): the encoder runs but never gets a gradient.
        ("buggy/params-without-grad_detach_mlp_digits.py", "model.encoder.0", Severity.ERROR,
         ["model.encoder.0.weight", "model.encoder.0.bias"], "cut"),
        # the encoder's forward runs under torch.no_grad(): the graph is cut after its last layer.
        ("buggy/params-without-grad_encoder_under_no_grad.py", "model.encoder.2", Severity.ERROR,
         ["model.encoder.0.weight", "model.encoder.0.bias", "model.encoder.2.weight", "model.encoder.2.bias"], "cut"),
        # conv2 is defined but forward() never calls it.
        ("buggy/params-without-grad_unused_layer_cnn.py", "model.conv2", Severity.WARNING,
         ["model.conv2.weight", "model.conv2.bias"], "unused"),
        # a GRU classifier whose head reads h[-1].detach(): the embedding and the GRU never learn.
        ("buggy/params-without-grad_gru_encoder_detached.py", "model.gru", Severity.ERROR,
         ["model.emb.weight", "model.gru.weight_ih_l0", "model.gru.weight_hh_l0", "model.gru.bias_ih_l0",
          "model.gru.bias_hh_l0"], "cut"),
        # loss = torch.tensor(loss.item(), requires_grad=True): nothing gets a gradient.
        ("buggy/params-without-grad_loss_from_item.py", "model", Severity.ERROR,
         ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"], "not connected"),
    ],
)  # fmt: skip
def test_parameters_without_gradient_are_named(script, where, severity, params, word):
    hits = found(script, "params-without-grad")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert (f.where, f.severity) == (where, severity)
    assert f.evidence["params"] == params
    assert f.evidence["steps_checked"] >= 10
    assert word in f.message
    assert "```" in f.fix


def test_healthy_runs_do_not_fire(clean_results):
    # Frozen backbones (requires_grad=False), GANs with detached fakes, head-only optimizers.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "params-without-grad"], name


def _view(events, last_step=40):
    trace = Trace()
    trace.event("structure", 0, model="model", layers=[{"name": "model.a", "type": "Linear", "params": 1},
                                                       {"name": "model.b", "type": "Linear", "params": 1}])  # fmt: skip
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.1}],
                shapes={"model.a.weight": [2, 2], "model.b.weight": [2, 2], "model.c.weight": [2, 2]})  # fmt: skip
    for step, names in events:
        trace.event("params_without_grad", step, optimizer="optimizer", names=names)
    for step in range(0, last_step + 1, 10):
        trace.scalar("params_without_grad", step, 1.0, "optimizer")
        trace.scalar("params_in_optimizer", step, 3.0, "optimizer")
    return trace.view(final=True)


def test_a_parameter_that_got_a_gradient_once_is_not_reported():
    # model.a had no gradient at step 0 only (a branch used from step 10 on): not "never".
    assert list(ParamsWithoutGrad().check(_view([(0, ["model.a.weight"]), (10, [])]))) == []


def test_too_few_steps_is_not_enough():
    assert list(ParamsWithoutGrad().check(_view([(0, ["model.c.weight"])], last_step=5))) == []
    (f,) = ParamsWithoutGrad().check(_view([(0, ["model.c.weight"])]))
    assert f.where == "model.c" and f.severity == Severity.WARNING  # never ran in forward


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="min_steps"):
        ParamsWithoutGrad(min_steps=0)
