"""loss-oscillating: swings beyond batch noise without a trend; minibatch noise is fine."""

from __future__ import annotations

import numpy as np
import pytest
from _curve_traces import curve_trace, noisy, prefixes

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.loss_oscillating import LossOscillating


@pytest.mark.parametrize(
    "script",
    [
        "buggy/loss-oscillating_adam_high_lr.py",  # Adam at lr=0.1
        "buggy/loss-oscillating_sorted_batches.py",  # one class per batch, never shuffled
    ],
)
def test_oscillation_is_found(script):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "loss-oscillating"]
    ev = f.evidence
    assert f.severity is Severity.WARNING and ev["loss_function"] == "cross_entropy"
    assert ev["noise_over_batch_noise"] >= 1.2 and ev["trend_in_recent_window"] < 1.0
    assert ev["recent_loss_max"] > 3 * ev["recent_loss_median"]
    assert "shuffle=True" in f.fix


def test_healthy_runs_do_not_oscillate(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "loss-oscillating"], name


def _found(trace):
    return {f.id for view in prefixes(trace) for f in LossOscillating().check(view)}


def test_minibatch_noise_that_batch_sampling_explains_is_not_accused():
    y = noisy(np.r_[np.linspace(1.2, 0.5, 100), np.full(200, 0.5)], 0.4)  # small batches: 40% noise
    assert _found(curve_trace(y, baseline=1.1, noise=0.5 * 0.4)) == set()


def test_swings_far_beyond_batch_noise_are_accused():
    rng = np.random.default_rng(1)
    swings = np.exp(rng.uniform(np.log(0.2), np.log(5.0), 300))  # loss jumps between 0.2 and 5
    (f,) = LossOscillating().check(curve_trace(swings, baseline=2.3, noise=0.05).view(final=True))
    assert f.evidence["noise_over_batch_noise"] > 2.5


def test_converged_or_unmeasured_or_diverging_runs_are_left_alone():
    rng = np.random.default_rng(2)
    tiny = np.exp(rng.uniform(np.log(1e-3), np.log(0.05), 300))  # large relative swings at the floor
    assert _found(curve_trace(tiny, baseline=2.3, noise=1e-3)) == set()
    swings = np.exp(rng.uniform(np.log(0.2), np.log(5.0), 300))
    assert _found(curve_trace(swings, baseline=2.3, noise=None)) == set()  # batches of 1: noise unknown
    rising = noisy(np.geomspace(1, 1e4, 300), 0.5)
    assert _found(curve_trace(rising, baseline=2.3, noise=0.01)) == set()  # diverging: another problem


def _with_updates(trace, update_norm, steps=300):
    """Add one weight tensor whose update moves it by ``update_norm`` (weight norm 1) on every
    tenth step; the traces' gradient norm is 1, so one update can change the loss by ~update_norm."""
    for step in range(0, steps, 10):
        trace.scalar("update_ratio", step, update_norm, "model.fc.weight")
        trace.scalar("param_norm", step, 1.0, "model.fc.weight")
    return trace


def test_swings_far_beyond_what_one_update_can_cause_come_from_the_batches():
    """Mixup draws one mixing weight per batch: the batch loss jumps with it, whatever the updates do.
    Swings over 5x |gradient| x |update| (first order) are not the optimizer's doing."""
    rng = np.random.default_rng(1)
    swings = np.exp(rng.uniform(np.log(0.2), np.log(5.0), 300))
    small = _with_updates(curve_trace(swings, baseline=2.3, noise=0.05), update_norm=0.01)
    assert list(LossOscillating().check(small.view(final=True))) == []
    large = _with_updates(curve_trace(swings, baseline=2.3, noise=0.05), update_norm=1.0)
    (f,) = LossOscillating().check(large.view(final=True))
    assert f.evidence["loss_change_one_update_can_make"] == pytest.approx(1.0)


def test_mixup_with_one_weight_per_batch_is_not_oscillation(clean_results):
    assert not [f for f in clean_results["mixup_soft_targets"].findings if f.id == "loss-oscillating"]
