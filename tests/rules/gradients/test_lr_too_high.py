"""lr-too-high: NaN or divergence from oversized steps fires, with a verified suggested_lr; other causes do not."""

from __future__ import annotations

import math
import re

import pytest
from _gradient_runs import dump, found

from conftest import ZOO
from nndoctor.findings import Severity
from nndoctor.monitor.runner import run_script
from nndoctor.rules.loss.lr_too_high import LrTooHigh
from nndoctor.trace import Trace

CASES = [
    # script, lr in the script, what happened
    ("buggy/lr-too-high_sgd_mlp_digits.py", 3.0, "nan"),  # SGD lr=3: NaN at step ~11
    ("buggy/lr-too-high_adam_cnn_digits.py", 1.0, "blowup"),  # Adam lr=1: loss x4000, then stuck
    ("buggy/lr-too-high_sgd_regression_diabetes.py", 0.5, "blowup"),  # SGD lr=0.5, MSE: loss x1e5
    ("buggy/lr-too-high_adam_mlp_no_nan.py", 0.1, "compare"),  # Adam lr=0.1: no NaN, no blow-up
    ("buggy/lr-too-high_adam_lr10_wine.py", 10.0, "blowup"),  # Adam lr=1e1 typo: loss x1000 at step 1
]


@pytest.mark.parametrize("script,lr,kind", CASES)
def test_oversized_steps_are_found(script, lr, kind):
    hits = found(script, "lr-too-high")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr"] == pytest.approx(lr)
    assert ("nonfinite_step" in f.evidence) == (kind == "nan")
    assert ("blowup_step" in f.evidence) == (kind == "blowup")
    assert (f.severity == Severity.WARNING) == (kind == "compare")
    # The suggestion was measured: the first 100 steps re-trained at lr/3^k, the largest clean one.
    assert f.evidence["suggested_lr_verified"] is True
    k = round(math.log(lr / f.evidence["suggested_lr"], 3))
    assert k >= 1 and f.evidence["suggested_lr"] == pytest.approx(lr / 3**k)
    tried = f.evidence["probe"]  # one line per rate tried (first the user's own rate, for "compare")
    tried = tried[1:] if kind == "compare" else tried
    assert len(tried) == k and ": clean" in tried[-1] and not any(": clean" in t for t in tried[:-1])
    assert f"lr={f.evidence['suggested_lr']:.2g}" in f.fix


def test_sgd_overshooting_without_divergence_is_compared_with_a_smaller_rate():
    """SGD lr=1.0 + momentum 0.9 on a tanh MLP: no NaN, no blow-up, the loss bounces between low
    values and spikes; re-training the first steps at lr/9 ends far lower.

    The bouncing trajectory is chaotic: rounding differences between CPUs' kernels decide whether
    the run ends above its start (then the huge updates with no progress already accuse the rate:
    an error) or below it (then only the re-training shows the smaller rate is better: a
    warning). Either way the finding carries the measured comparison."""
    script = "buggy/lr-too-high_sgd_momentum_tanh_digits.py"
    hits = found(script, "lr-too-high")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr"] == pytest.approx(1.0)
    if f.severity is Severity.ERROR:  # stalled: huge updates while the loss did not improve
        assert f.evidence["update_ratio"] >= 0.1 and f.evidence["loss_improvement"] < 0.1
    else:
        assert f.severity is Severity.WARNING and f.evidence["first_update_ratio"] >= 0.3
    assert f.evidence["suggested_lr_verified"] is True and f.evidence["suggested_lr"] < 0.5
    assert f.evidence["loss_at_suggested_lr"] < 0.5 * f.evidence["loss_at_your_lr"]


@pytest.mark.parametrize("script,lr", [(s, lr) for s, lr, _ in CASES[:2]])
def test_the_suggested_rate_trains_cleanly(script, lr, tmp_path):
    (f,) = found(script, "lr-too-high")
    source = (ZOO / script).read_text()
    fixed, n = re.subn(
        rf"(optim\.\w+\(model\.parameters\(\), lr=){lr}\b", rf"\g<1>{f.evidence['suggested_lr']!r}", source
    )
    assert n == 1
    path = tmp_path / "fixed.py"
    path.write_text(fixed)
    result = run_script(path, log_dir=None)
    bad = {f.id for f in result.findings} & {"lr-too-high", "nonfinite-loss", "loss-increasing"}
    assert not bad, [f.to_dict() for f in result.findings]


def test_healthy_runs_do_not_fire(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "lr-too-high"], name


def test_nan_from_bad_data_is_not_the_learning_rate():
    script = "buggy/nonfinite-input_missing_values_diabetes.py"
    assert not found(script, "lr-too-high"), dump(script)


def _view(losses, ratios=None, nan_at=None, cause="overflow", stale=False, norm=None):
    trace = Trace()
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 1.0, "momentum": 0.0}],
                shapes={"model.0.weight": [4, 4]})  # fmt: skip
    for step, loss in enumerate(losses):
        trace.scalar("loss", step, loss)
        trace.scalar("grad_norm", step, 1.0, "optimizer")
        if step % 5 == 0:
            trace.scalar("lr", step, 1.0, "optimizer.group0")
            trace.scalar("update_ratio", step, (ratios or {}).get(step, 0.01), "model.0.weight")
            if norm is not None:
                trace.scalar("param_norm", step, norm(step), "model.0.weight")
            if stale:
                trace.scalar("stale_grad", step, 1.0, "optimizer")
    if nan_at is not None:
        trace.event("nonfinite", nan_at, kind="loss", loss=float("nan"), cause=cause)
    return trace.view(final=True)


def test_nan_before_any_update_or_from_data_is_not_the_learning_rate():
    rule = LrTooHigh()
    assert list(rule.check(_view([2.3], nan_at=0))) == []  # no update happened yet
    assert list(rule.check(_view([2.3, 2.2, 2.1], ratios={0: 0.5}, nan_at=3, cause="nonfinite-input"))) == []
    (f,) = rule.check(_view([2.3, 5, 50], ratios={0: 0.5}, nan_at=3))
    assert f.evidence["nonfinite_step"] == 3
    assert f.evidence["suggested_lr_verified"] is False  # no probe ran: the estimate
    assert f.evidence["suggested_lr"] == pytest.approx(1 / 3**2)  # 0.5 -> <= 0.1 takes two divisions


def test_a_slow_loss_rise_with_small_updates_is_not_the_learning_rate():
    rising = [2.0 + 0.3 * s for s in range(80)]  # x12 by the end, but updates stay ~1e-2
    assert list(LrTooHigh().check(_view(rising))) == []
    assert len(list(LrTooHigh().check(_view(rising, ratios={55: 0.4})))) == 1  # large steps just before the jump
    # Large steps only at the start, a dozen samples before the loss reached 10x (RMSprop's first
    # updates are ~10x the rate by construction; an actor-critic's value loss grows with its
    # returns): not what the rise can be blamed on.
    assert list(LrTooHigh().check(_view(rising, ratios={0: 0.4, 5: 0.2}))) == []


def test_huge_updates_without_progress():
    flat = [2.3] * 60
    ratios = {s: 0.3 for s in range(0, 60, 5)}
    (f,) = LrTooHigh().check(_view(flat, ratios=ratios))
    assert f.evidence["update_ratio"] == pytest.approx(0.3)
    falling = [2.3 * 0.97**s for s in range(60)]
    assert list(LrTooHigh().check(_view(falling, ratios=ratios))) == []  # big steps, but it learns


def test_large_ratios_over_weights_pulled_to_zero_are_not_large_steps():
    """Adam with L2 weight_decay=1.0: the weights shrink 1000x, so update/weight is large although
    the steps are not; too-high rates keep or grow the weight norms (min/initial = 1 on the zoo)."""
    flat = [2.3] * 80
    ratios = {s: 0.3 for s in range(30, 80, 5)}  # large from step 30 on, once the weights are ~0
    assert len(list(LrTooHigh().check(_view(flat, ratios=ratios, norm=lambda s: 4.0)))) == 1
    assert (
        list(LrTooHigh().check(_view(flat, ratios=ratios, norm=lambda s: 4.0 * 0.85**s))) == []
    )  # 4 -> 0.16 by step 20
    script = "buggy/constant-output_adam_l2_weight_decay_one.py"
    assert not found(script, "lr-too-high"), dump(script)


def test_gradients_piling_up_are_left_to_missing_zero_grad():
    growing = [2.3, 2.4, 2.6, 3, 4, 5, 8, 12, 20, 50, 80]
    assert len(list(LrTooHigh().check(_view(growing, ratios={0: 0.5}, nan_at=11)))) == 1
    assert list(LrTooHigh().check(_view(growing, ratios={0: 0.5}, nan_at=11, stale=True))) == []


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="blowup"):
        LrTooHigh(blowup=1.0)


def test_a_warm_up_without_a_cap_is_named_as_the_cause():
    # LambdaLR(lambda s: (s + 1) / 10) with no min(1, ...): the rate rises past its base forever
    (f,) = found("buggy/lr-too-high_uncapped_warmup_schedule.py", "lr-too-high")
    ev = f.evidence
    assert ev["lr_first"] == pytest.approx(0.005) and ev["lr_latest"] > 20 * ev["lr_first"]
    assert "still rising: a warm-up with no cap" in f.message and "lr_first" in ev
    assert "min(1.0, (s + 1) / warmup_steps)" in f.fix


def test_capped_warm_up_and_one_cycle_schedules_are_not_called_rising():
    from nndoctor.rules.loss.lr_too_high import rate_still_rising

    def view(lrs):
        trace = Trace()
        for i, v in enumerate(lrs):
            trace.scalar("lr", 10 * i, v, "optimizer.group0")
        return trace.view()

    ramp = [0.01 * (i + 1) for i in range(20)]
    assert rate_still_rising(view(ramp)) is not None
    assert rate_still_rising(view(ramp[:5] + [0.05] * 15)) is None  # capped: levels off
    assert rate_still_rising(view(ramp[:10] + ramp[:10][::-1])) is None  # one-cycle: comes back down
    assert rate_still_rising(view([0.1] * 20)) is None  # constant


def test_a_loss_summed_over_the_batch_is_named_as_the_cause():
    # nn.MSELoss(reduction="sum") on batches of 128 with a rate meant for the mean: NaN in epoch 1
    (f,) = found("buggy/lr-too-high_summed_mse_gru.py", "lr-too-high")
    assert f.evidence["loss_reduction"] == "sum" and f.evidence["batch_size"] == 128
    assert "reduction='sum'" in f.message and "F.mse_loss(pred, target)" in f.fix
    (g,) = found("buggy/lr-too-high_sgd_mlp_digits.py", "lr-too-high")
    assert "loss_reduction" not in g.evidence  # a mean loss: the rate itself
