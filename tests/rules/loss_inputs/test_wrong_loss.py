"""wrong-loss (live): a regression loss between a classifier's scores and its class ids."""

from __future__ import annotations

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.wrong_loss import WrongLossLive
from nndoctor.trace import Trace


def test_mse_between_ten_scores_and_the_class_id_is_found():
    # nn.MSELoss(model(x) -> (50, 10), y.float().unsqueeze(1)): every score regresses to the label
    result = run_zoo("buggy/wrong-loss_mse_on_class_ids_digits.py")
    (f,) = [f for f in result.findings if f.id == "wrong-loss"]
    assert f.severity is Severity.ERROR and f.where == "model.2"
    ev = f.evidence
    assert (ev["loss_function"], ev["classes"], ev["target_min"], ev["target_max"]) == ("mse_loss", 10, 0.0, 9.0)
    assert "F.cross_entropy(scores, y.long().view(-1))" in f.fix


def _call(**data):
    base = {"fn": "mse_loss", "input_shape": [32, 5], "target_shape": [32, 1], "target_whole": True}
    return {**base, "target_min": 0.0, "target_max": 4.0, **data}


def _check(*calls):
    trace = Trace()
    for i, d in enumerate(calls):
        trace.event("loss_call", 10 * i, **d)
    return list(WrongLossLive().check(trace.view()))


def test_real_valued_or_per_score_targets_are_regression():
    assert len(_check(_call(), _call())) == 1
    assert _check(_call()) == []  # one call is not enough
    assert _check(_call(target_whole=False), _call(target_whole=False)) == []  # real-valued targets
    shaped = _call(target_shape=[32, 5])  # one target per score: multi-output regression or one-hot
    assert _check(shaped, shaped) == []
    counts = _call(target_max=40.0)  # whole numbers beyond the number of scores: counts, not class ids
    assert _check(counts, counts) == []
    two = _call(input_shape=[32, 2], target_max=1.0)  # two outputs: a 2-D regression as likely
    assert _check(two, two) == []


def test_healthy_runs_use_fitting_losses(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "wrong-loss"], name
