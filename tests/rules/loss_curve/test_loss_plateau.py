"""loss-plateau: stuck at the constant-predictor level; slow starts and converged runs are fine."""

from __future__ import annotations

import numpy as np
import pytest
from _curve_traces import curve_trace, noisy, prefixes

from conftest import run_zoo
from nndoctor.findings import GUESS_BREAK, Severity
from nndoctor.rules.loss.loss_plateau import LossPlateau


@pytest.mark.parametrize(
    "script,fn,severity",
    [
        ("buggy/loss-plateau_dead_relu.py", "cross_entropy", Severity.ERROR),  # every ReLU dead: ln(10)
        ("buggy/loss-plateau_misaligned_labels.py", "binary_cross_entropy_with_logits", None),  # labels shuffled
        ("buggy/loss-plateau_broadcast_regression.py", "mse_loss", None),  # (N,1) vs (N,): only the mean fits
        ("buggy/loss-plateau_labels_permuted_separately.py", "cross_entropy", Severity.ERROR),  # perm_x != perm_y
        ("buggy/loss-plateau_augmentation_noise_swamps.py", "cross_entropy", Severity.ERROR),  # noise std 8 >> signal
        ("buggy/loss-plateau_lstm_reads_first_step.py", "cross_entropy", None),  # LSTM head reads out[:, 0]
        # inputs and labels in two DataLoaders, each shuffled, zipped together (breast cancer)
        ("buggy/loss-plateau_two_loaders_shuffled.py", "binary_cross_entropy_with_logits", Severity.ERROR),
    ],
)
def test_stuck_at_the_constant_predictor_is_found(script, fn, severity):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "loss-plateau"]
    ev = f.evidence
    assert ev["loss_function"] == fn
    assert ev["share_of_constant_predictor"] >= 0.9 and abs(ev["progress_in_recent_window"]) < 0.05
    assert f.severity is (severity or f.severity) and f.severity in (Severity.ERROR, Severity.WARNING)
    assert f.step == ev["flat_since_step"] > 0


def test_batches_of_one_class_each_are_named_as_unshuffled_sorted_data(clean_results):
    # Digits stored class by class, DataLoader(shuffle=False), BatchNorm: every batch one digit.
    (f,) = [f for f in run_zoo("buggy/loss-plateau_sorted_by_label_no_shuffle.py").findings if f.id == "loss-plateau"]
    ev = f.evidence
    assert ev["mean_batch_majority_share"] >= 0.9 and ev["pooled_majority_share"] <= 0.3 and ev["classes_seen"] == 10
    assert "sorted by label and not shuffled" in f.message and "shuffle=True" in f.fix
    # The other plateaus' batches are mixed: they keep the generic diagnosis.
    (other,) = [f for f in run_zoo("buggy/loss-plateau_dead_relu.py").findings if f.id == "loss-plateau"]
    assert "batches_counted" not in other.evidence and "shuffle=True" not in other.fix


def test_healthy_runs_are_not_stuck(clean_results):
    assert "lstm_clipping" in clean_results  # sits at ln 2 for ~40 steps before it learns
    for name, result in clean_results.items():
        found = [f for f in result.findings if f.id == "loss-plateau"]
        if name == "weak_signal_bce_converged":  # converged on a weak signal: a note (tested below)
            found = [f for f in found if f.severity is not Severity.INFO]
        assert not found, name


def _found(trace):
    return [f for view in prefixes(trace) for f in LossPlateau().check(view)]


def test_a_slow_start_is_never_accused_on_any_prefix():
    y = noisy(np.r_[np.full(150, 0.693), np.linspace(0.693, 0.1, 150)], 0.03)
    assert _found(curve_trace(y, baseline=0.693)) == []


def test_a_converged_run_is_flat_but_far_below_the_baseline():
    y = noisy(np.r_[np.linspace(2.3, 0.1, 60), np.full(240, 0.1)], 0.2)
    assert _found(curve_trace(y, baseline=2.3)) == []


def test_live_judgement_waits_for_a_long_plateau_final_judges_a_short_run():
    stuck = noisy(np.full(150, 2.3), 0.02)
    assert list(LossPlateau().check(curve_trace(stuck, baseline=2.3).view(final=False))) == []
    (f,) = LossPlateau().check(curve_trace(stuck, baseline=2.3).view(final=True))
    assert f.severity is Severity.ERROR
    (f,) = LossPlateau().check(curve_trace(noisy(np.full(260, 2.3), 0.02), baseline=2.3).view(final=False))
    assert f.evidence["share_of_constant_predictor"] > 0.97


def test_a_warm_up_is_not_a_plateau():
    lr = np.minimum(1.0, (np.arange(300) + 1) / 400) * 1e-3  # still warming up at the end
    trace = curve_trace(noisy(np.full(300, 2.3), 0.02), baseline=2.3, lr=lr)
    assert list(LossPlateau().check(trace.view(final=True))) == []


def test_no_baseline_no_verdict():
    assert list(LossPlateau().check(curve_trace(noisy(np.full(300, 2.3), 0.02)).view(final=True))) == []


def test_after_a_warm_up_live_judgement_waits_two_warm_up_lengths_at_the_full_rate():
    # probe 10's transformer: ln 2 from the start, a 100-step warm-up, falling from step ~210
    lr = np.r_[np.linspace(1e-5, 1e-3, 100), np.linspace(1e-3, 5e-4, 400)]
    slow = noisy(np.r_[np.full(210, 0.693), np.linspace(0.693, 0.05, 100), np.full(190, 0.05)], 0.01)
    assert _found(curve_trace(slow, baseline=0.693, lr=lr)) == []
    stuck = curve_trace(noisy(np.full(500, 0.693), 0.01), baseline=0.693, lr=lr)
    hits = [v.last_step for v in prefixes(stuck) if not v.final and list(LossPlateau().check(v))]
    assert hits and min(hits) >= 300  # still accused, once it has sat there two warm-up lengths


def test_a_loss_that_learned_early_and_converged_near_the_constant_is_a_note(clean_results):
    # A weak signal: 4% below ln 2 within the first 38 steps, then flat at 92.5% (the best
    # possible model scores ~92%): the data's limit, not a failure to learn.
    (f,) = [f for f in clean_results["weak_signal_bce_converged"].findings if f.id == "loss-plateau"]
    ev = f.evidence
    assert f.severity is Severity.INFO and f.title.startswith("The loss converged")
    assert 0.9 <= ev["share_of_constant_predictor"] < 0.97 and ev["start_loss"] <= 0.97 * ev["constant_predictor_loss"]
    assert "LogisticRegression" in f.fix and GUESS_BREAK not in f.message


def test_a_plateau_with_healthy_updates_guesses_the_data_unless_a_cause_is_found():
    # perm_x != perm_y: the optimizer moves the weights at ~3e-3 a step, the loss stays at ln 10
    (f,) = [f for f in run_zoo("buggy/loss-plateau_labels_permuted_separately.py").findings if f.id == "loss-plateau"]
    assert 1e-4 <= f.evidence["median_update_ratio"] <= 1e-2
    assert GUESS_BREAK + "the data" in f.message and "X[perm], y[perm]" in f.fix
    # (N,1) against (N,) also leaves healthy updates, but loss-shape-broadcast explains it: no guess
    (f,) = [f for f in run_zoo("buggy/loss-plateau_broadcast_regression.py").findings if f.id == "loss-plateau"]
    assert f.evidence["likely_cause"] == "loss-shape-broadcast" and GUESS_BREAK not in f.message
    assert f.fix.startswith("Fix loss-shape-broadcast first: ") and "squeeze" in f.fix
