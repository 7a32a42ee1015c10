"""What the loss receives: value facts, the operation before it, targets, collapse measures."""

from __future__ import annotations

from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from quantity_helpers import watch_steps
from torch import nn

from nndoctor.quantities.loss_inputs import describe_prediction, describe_target, prediction_collapse


def test_describe_prediction_tells_probabilities_logits_and_log_probs_apart():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 5, generator=g) * 3
    probs, logp = logits.softmax(1), logits.log_softmax(1)
    assert not describe_prediction(logits)["rows_sum_to_one"]
    assert describe_prediction(probs)["rows_sum_to_one"] and not describe_prediction(probs)["rows_are_log_probs"]
    assert describe_prediction(logp)["rows_are_log_probs"] and not describe_prediction(logp)["rows_sum_to_one"]
    assert describe_prediction(probs.bfloat16())["rows_sum_to_one"]  # low precision tolerance
    slow = max(abs(sum(row) - 1) for row in probs.tolist())
    assert describe_prediction(probs)["rows_sum_dev"] == pytest.approx(slow, abs=1e-6)
    relu = F.relu(logits)
    assert describe_prediction(relu)["zero_share"] == pytest.approx(sum(v == 0 for v in relu.reshape(-1).tolist()) / 40)


def test_targets_and_collapse_match_counters():
    y = torch.tensor([0, 1, 1, 2, 2, 2, 2, 5])
    d = describe_target(y)
    counts = Counter(y.tolist())
    assert d["target_integer"] and d["target_classes"] == len(counts)
    assert d["target_majority_share"] == pytest.approx(max(counts.values()) / len(y))
    scores = torch.zeros(8, 6)
    scores[:, 3] = 1.0
    scores[0, 0] = 5.0
    c = prediction_collapse(scores)
    assert c["pred_majority_share"] == pytest.approx(7 / 8)
    assert prediction_collapse(torch.ones(8, 3))["pred_spread"] == 0.0
    f = describe_target(torch.tensor([-2.0, 0.5, 3.0, 0.0]))
    assert f["target_frac_negative"] == 0.25 and f["target_frac_above_one"] == 0.25
    assert f["target_frac_below_minus_one"] == 0.25 and not f["target_integer"]


class SoftmaxHead(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=-1).view(x.shape[0], 3)


def test_loss_call_names_the_operation_and_the_layer_before_it():
    torch.manual_seed(0)
    model = SoftmaxHead()
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    view, _ = watch_steps(model, lambda i: F.cross_entropy(model(x), y), 2, "loss_inputs")
    d = view.events("loss_call")[0].data
    assert d["fn"] == "cross_entropy" and d["input_op"] == "softmax"
    assert d["input_op_dim"] == 1 and d["input_op_dim_size"] == 3  # dim=-1 saved as unsigned, normalised
    assert d["input_op_after"] == "model.fc" and d["rows_sum_to_one"]
    assert d["target_classes"] == len(set(y.tolist()))


def test_shapes_and_broadcast_are_recorded():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = torch.randn(8, 3), torch.randn(8)
    with pytest.warns(UserWarning, match="target size"):
        view, _ = watch_steps(model, lambda i: F.mse_loss(model(x), y), 1, "loss_inputs")
    d = view.events("loss_call")[0].data
    assert d["input_shape"] == [8, 1] and d["target_shape"] == [8] and d["broadcast_shape"] == [8, 8]
    assert d["producer"] == "model"


def test_broadcast_shape_agrees_with_torch():
    import itertools

    from nndoctor.quantities.loss_inputs import broadcast_shape

    shapes = [[], [1], [3], [4, 1], [4, 3], [1, 3], [2, 4, 3], [2, 1, 1], [5], [4, 5]]
    for a, b in itertools.product(shapes, shapes):
        try:
            expected = list(torch.broadcast_shapes(tuple(a), tuple(b)))
        except RuntimeError:
            expected = None
        assert broadcast_shape(a, b) == expected, (a, b)


@pytest.mark.parametrize(
    "pred, target",
    [
        (torch.randn(64, 10, generator=torch.Generator().manual_seed(0)), torch.arange(64) % 7),
        (torch.randn(32, 3, 4, 4, generator=torch.Generator().manual_seed(1)), torch.randint(-1, 3, (32, 4, 4))),
        (torch.randn(16, 1, generator=torch.Generator().manual_seed(2)), torch.rand(16, 1) * 4 - 2),
        (torch.ones(8, 5), torch.tensor([True, False] * 4)),
    ],
)
def test_host_and_torch_summaries_agree(monkeypatch, pred, target):
    """Small CPU tensors are summarised with NumPy: the facts must be the ones torch gives."""
    from nndoctor.quantities import _tensors

    on_host = prediction_collapse(pred), describe_target(target), describe_target(target, ranges=False)
    monkeypatch.setattr(_tensors, "HOST_LIMIT", 0)
    with_torch = prediction_collapse(pred), describe_target(target), describe_target(target, ranges=False)
    for a, b in zip(on_host, with_torch, strict=True):
        assert a.keys() == b.keys()
        for k in a:
            assert a[k] == pytest.approx(b[k], rel=1e-5, abs=1e-6), k


def test_host_summaries_stay_quiet_on_nan():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert prediction_collapse(torch.full((8, 3), float("nan"))) == {}
        assert describe_target(torch.tensor([1.0, float("inf"), 0.0, 2.0]))["target_finite"] is False


def test_sampled_steps_between_full_ones_record_only_the_collapse_facts():
    """After the first ``full_samples`` sampled steps most loss calls are partial: the collapse
    facts (what constant-output follows) on every sampled step, the rest on full ones."""
    from nndoctor.monitor.schedule import SampleSchedule

    torch.manual_seed(0)
    model = SoftmaxHead()
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    view, monitor = watch_steps(model, lambda i: F.cross_entropy(model(x), y), 1, "loss_inputs")
    schedule = SampleSchedule(full_samples=2, thin_every=100)
    monitor = type(monitor)([model], rules=monitor.rules, schedule=schedule).start()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    try:
        for _ in range(5):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    finally:
        monitor.stop()
    calls = [e.data for e in monitor.trace.view().events("loss_call")]
    assert [bool(d.get("partial")) for d in calls] == [False, False, True, True, True]
    for d in calls:
        assert d["fn"] == "cross_entropy" and d["input_shape"] == [16, 3]
        assert "pred_spread" in d and "pred_majority_share" in d and d["target_classes"] == len(set(y.tolist()))
    assert "input_op" in calls[0] and "min" in calls[0] and "target_min" in calls[0]
    assert not {"input_op", "min", "target_min", "producer"} & set(calls[-1])
