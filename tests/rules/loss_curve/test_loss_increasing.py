"""loss-increasing: ascent from the start (flipped sign, p += lr * grad, maximize=True)."""

from __future__ import annotations

import numpy as np
import pytest
from _curve_traces import curve_trace, noisy, prefixes

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.loss_increasing import LossIncreasing


@pytest.mark.parametrize(
    "script,fn,unit,flipped",
    [
        ("buggy/loss-increasing_flipped_sign.py", "cross_entropy", "steps", True),  # loss = -criterion(...)
        ("buggy/loss-increasing_manual_ascent.py", "cross_entropy", "backward calls", False),  # p += lr * grad
        ("buggy/loss-increasing_maximize.py", "mse_loss", "steps", False),  # Adam(maximize=True), regression
    ],
)
def test_ascent_is_found(script, fn, unit, flipped):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "loss-increasing"]
    ev = f.evidence
    assert f.severity is Severity.ERROR and f.step == 0
    assert ev["loss_function"] == fn and unit in ev
    assert ev["rise_factor"] >= 1.5 and ev["rank_correlation_with_time"] >= 0.7
    assert ev["recent_loss"] > ev["constant_predictor_loss"]  # worse than predicting the label frequencies
    assert ev.get("backward_value_is_negated_loss", False) is flipped
    if flipped:
        assert "-" not in f.fix.split("```")[1]  # the suggested line has no minus sign


def test_healthy_runs_do_not_climb(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "loss-increasing"], name


def _check(trace):
    found = set()
    for view in prefixes(trace):
        found |= {f.id for f in LossIncreasing().check(view)}
    return found


def test_a_run_that_descends_first_is_not_accused():
    # missing zero_grad style: down, then up
    y = noisy(np.r_[np.linspace(2.3, 0.5, 30), np.linspace(0.5, 20, 60)], 0.05)
    assert _check(curve_trace(y, baseline=2.3)) == set()


def test_noisy_flat_and_falling_curves_are_not_accused():
    assert _check(curve_trace(noisy(np.full(120, 1.0), 0.3), baseline=1.1)) == set()
    assert _check(curve_trace(noisy(np.linspace(2.3, 0.2, 120), 0.2), baseline=2.3)) == set()


def test_a_rise_below_the_constant_predictor_is_not_enough():
    # a loss term that grows from a tiny start but stays far below what a constant would score
    y = noisy(np.linspace(0.05, 0.3, 100), 0.05)
    assert _check(curve_trace(y, baseline=2.3)) == set()


def test_custom_losses_need_a_doubling():
    rising = noisy(np.linspace(1.0, 3.0, 60), 0.05)
    (f,) = LossIncreasing().check(curve_trace(rising, fn=None).view(final=True))
    assert f.evidence["loss_function"] is None and f.evidence["rise_factor"] >= 2
    assert _check(curve_trace(noisy(np.linspace(1.0, 1.6, 60), 0.05), fn=None)) == set()


def test_adversarial_runs_are_left_alone():
    trace = curve_trace(noisy(np.linspace(0.7, 3.0, 80), 0.05), baseline=0.69, fn="binary_cross_entropy")
    for step in range(80):  # a second optimizer and a second backward per step (a GAN)
        trace.scalar("grad_norm", step, 1.0, "optimizer2")
        trace.scalar("loss", step, 0.7)
    assert _check(trace) == set()


@pytest.mark.parametrize(
    "script",
    [
        "buggy/loss-increasing_gaussian_loglik_minimised.py",  # regression MLP on diabetes, Adam
        "buggy/loss-increasing_loglik_minimised_classifier.py",  # classifier MLP on digits, SGD + momentum
        "buggy/loss-increasing_vae_kl_term_sign_flipped.py",  # VAE on digits, Adam: one term of the sum
    ],
)
def test_an_objective_that_falls_without_bound_is_found(script):
    """A log-likelihood minimised without its minus sign falls to -1e20 and NaN: the sign is named,
    and the NaN is not blamed on the learning rate."""
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "loss-increasing"]
    ev = f.evidence
    assert f.severity is Severity.ERROR and f.title == "The minimised value falls without bound"
    assert ev["lowest_value"] <= -1e3 * max(1.0, abs(ev["start_value"]))
    assert ev["rank_correlation_with_time"] <= -0.7
    assert "minus sign" in f.message and "-log_likelihood" in f.fix
    assert "lr-too-high" not in {g.id for g in result.findings}
    for g in result.findings:
        if g.id == "nonfinite-loss":
            assert g.evidence["attributed_to"] == "unbounded-objective"


def test_a_bounded_negative_loss_is_not_unbounded():
    # a Gaussian NLL whose variance shrinks: negative and falling, but it levels off near -20
    y = noisy(np.r_[np.linspace(1.0, -15.0, 60), np.linspace(-15.0, -20.0, 90)], 0.2)
    assert _check(curve_trace(y, fn=None)) == set()
    # a deep dip that comes back up is not a fall without bound
    y = np.r_[np.linspace(-1.0, -5000.0, 60), np.linspace(-5000.0, -10.0, 60)]
    assert _check(curve_trace(y, fn=None)) == set()
    # the same fall, steady to -1e6, is
    assert _check(curve_trace(-np.geomspace(1.0, 1e6, 120), fn=None)) == {"loss-increasing"}


def test_a_vae_whose_kl_term_has_the_wrong_sign_is_named_and_its_latent_is_not_called_raw_data():
    # the backward value (BCE + the flipped KL) is negative, so it looked like a negated BCE
    result = run_zoo("buggy/loss-increasing_vae_kl_term_sign_flipped.py")
    (f,) = [f for f in result.findings if f.id == "loss-increasing"]
    assert "KL" in f.message and "kl = -0.5" in f.fix
    assert f.evidence["start_value"] < 50  # the first steps' level, not the first tenth's (already far down)
    assert "unnormalized-input" not in {g.id for g in result.findings}  # the decoder's input is the latent


def test_the_early_dip_test_counts_as_the_window_medians_would():
    from nndoctor.rules.loss._curve import window_median_below

    rng = np.random.default_rng(0)
    for _ in range(500):
        y = rng.normal(size=int(rng.integers(1, 60))).round(1)
        k, threshold = int(rng.integers(1, 25)), float(rng.normal())
        k_used = min(k, len(y))
        lowest = np.median(np.lib.stride_tricks.sliding_window_view(y, k_used), axis=1).min()
        if k_used % 2:  # odd windows: exact
            assert window_median_below(y, k, threshold) == (lowest < threshold)
        elif window_median_below(y, k, threshold):  # even ones: never a dip that is not there
            assert lowest < threshold


@pytest.mark.timeout(60)
def test_a_long_run_is_checked_in_linear_time():
    # The early-dip test sorted a window a tenth of the run long at every position: 30 s for a
    # 100,000-step trace, about an hour at a million steps (the final check of a long run).
    from nndoctor.trace.store import Trace

    n = 300_000
    steps = np.arange(n)
    y = 2.3 * (1 + 0.05 * np.random.default_rng(0).standard_normal(n))
    trace = Trace()
    trace.extend_series("loss", None, steps.tolist(), y.tolist())
    trace.extend_series("loss_fn_value", "cross_entropy", steps.tolist(), y.tolist())
    trace.extend_series("constant_baseline", "cross_entropy", steps[::100].tolist(), [2.3] * len(steps[::100]))
    assert list(LossIncreasing().check(trace.view(final=True))) == []
