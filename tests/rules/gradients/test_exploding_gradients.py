"""exploding-gradients: RNN gradient spikes are found; clipped, converged and diverged runs are not."""

from __future__ import annotations

import numpy as np
import pytest
from _gradient_runs import dump, found

from nndoctor.rules.gradients.exploding_gradients import ExplodingGradients
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,min_ratio",
    [
        ("buggy/exploding-gradients_tanh_rnn.py", 100),  # repeated cliffs over the whole run
        ("buggy/exploding-gradients_rnn_wave_classifier.py", 1e4),  # one huge explosion at the start
        ("buggy/exploding-gradients_relu_rnn.py", 100),  # identity-initialised ReLU RNN (IRNN), no clipping
    ],
)
def test_rnn_gradient_spikes_are_found(script, min_ratio):
    hits = found(script, "exploding-gradients")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "model.rnn"
    assert f.evidence["largest_spike_ratio"] >= min_ratio
    assert f.evidence["clipping_detected"] is False
    assert "clip_grad_norm_" in f.fix


def test_a_start_with_zero_gradients_makes_no_infinite_spike():
    """A ReLU output unit dead on the first batches gives gradient norms of exactly 0 there; the
    first non-zero gradient after them is not an infinite spike (it is below the run's median)."""
    script = "buggy/output-activation-mismatch_relu_regression_head.py"
    assert not found(script, "exploding-gradients"), dump(script)


def test_healthy_runs_do_not_fire(clean_results):
    # The clean zoo holds clipped LSTMs and transformers, a GRU without clipping, GANs.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "exploding-gradients"], name


def _view(grad_norms, losses=None, final=True):
    trace = Trace()
    losses = losses if losses is not None else [1.0] * len(grad_norms)
    for step, (g, loss) in enumerate(zip(grad_norms, losses, strict=True)):
        trace.scalar("grad_norm", step, float(g), "optimizer")
        trace.scalar("loss", step, float(loss))
    return trace.view(final=final)


def _noisy(n, seed=0, level=1.0):
    rng = np.random.default_rng(seed)
    return level * np.exp(rng.normal(0, 0.3, n))


def test_isolated_huge_spike_fires_and_mild_noise_does_not():
    g = _noisy(100)
    assert list(ExplodingGradients().check(_view(g))) == []
    g[60] = 500.0
    (f,) = ExplodingGradients().check(_view(g))
    assert f.evidence["largest_spike_step"] == 60 and f.evidence["largest_spike_ratio"] > 100


def test_a_clipping_ceiling_is_not_a_spike():
    # clip_grad_norm_(max_norm=1.0) on tiny gradients: the spikes sit exactly at the ceiling.
    g = _noisy(100, level=0.01)
    g[[30, 50, 70]] = 1.0
    assert list(ExplodingGradients().check(_view(g))) == []


def test_spikes_after_the_loss_diverged_are_left_to_lr_too_high():
    g = _noisy(100)
    losses = [2.3] * 20 + [500.0] * 5 + [2.3] * 75  # the loss blew up at step 20
    g[[40, 60, 80]] = 200.0
    assert list(ExplodingGradients().check(_view(g, losses))) == []
    g[10] = 2000.0  # a spike before the divergence still counts
    assert len(list(ExplodingGradients().check(_view(g, losses)))) == 1


def test_a_lasting_change_of_scale_is_not_a_spike():
    # Layers unfrozen at step 50: the gradient norm settles 30x higher and stays there.
    g = np.concatenate([_noisy(50, level=0.1), _noisy(100, seed=1, level=3.0)])
    assert list(ExplodingGradients().check(_view(g))) == []


def test_converged_runs_tiny_gradient_noise_is_not_a_spike():
    # Gradients shrink 100x as the loss goes to ~0; a batch at the early level is not a spike.
    g = np.concatenate([_noisy(50, level=1.0), _noisy(150, seed=1, level=0.01)])
    g[150] = 0.5
    assert list(ExplodingGradients().check(_view(g))) == []


def test_gradients_falling_from_the_start_are_convergence_but_an_early_rise_is_a_spike():
    # Full-batch LBFGS converges in a few outer steps (the zoo's clean lbfgs_tanh_mlp_fit, as
    # measured on one machine): 0.0435 and 0.0892 are 300-600x the converged level after them,
    # but below the first step's 1.65, so the run is falling, not spiking.
    g = np.array([1.65, 0.0435, 0.0892, 0.00192] + [1.42e-4] * 20)
    assert list(ExplodingGradients().check(_view(g))) == []
    # The same early step jumping 1000x above the steps before it is a spike.
    g = np.array([1e-4] * 3 + [0.5] + [1e-4] * 20)
    (f,) = ExplodingGradients().check(_view(g))
    assert f.evidence["largest_spike_step"] == 3


def test_steps_without_any_gradient_do_not_set_the_usual_level():
    # A triplet or hinge loss that every example of most batches satisfies: loss and gradient
    # exactly 0 there, so the median is 0 and every real gradient was an infinite "spike"
    # (probe 8; the zoo's clean triplet_margin_embedding_digits). Measured without the zeros,
    # the non-zero gradients are their usual selves; a real spike among them still shows.
    rng = np.random.default_rng(0)
    g = np.where(rng.random(300) < 0.6, 0.0, _noisy(300, level=0.2))
    assert list(ExplodingGradients().check(_view(g))) == []
    nonzero = np.flatnonzero(g)
    g[nonzero[90]] = 200.0
    (f,) = ExplodingGradients().check(_view(g))
    assert f.evidence["largest_spike_step"] == nonzero[90] and np.isfinite(f.evidence["largest_spike_ratio"])
    assert f.evidence["median_grad_norm"] > 0.1


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="factor"):
        ExplodingGradients(factor=1.0)
    with pytest.raises(ValueError, match="huge"):
        ExplodingGradients(factor=10, huge=5)


def test_a_recurrent_run_that_clipping_saves_is_blamed_on_the_gradients_not_the_rate():
    """The IRNN breaks at step 2. Only lr/243 trains it unclipped, but the probe re-trains it at
    the script's own rate with the gradient norm clipped at 1, and that trains: exploding-gradients
    (an error) says so, nonfinite-loss points to it, and the live lr-too-high is withdrawn."""
    from conftest import run_zoo

    result = run_zoo("buggy/exploding-gradients_irnn_running_sum_sgd.py")
    (f,) = [f for f in result.findings if f.id == "exploding-gradients"]
    assert f.where == "model.rnn" and f.severity.value == "error"
    assert f.evidence["lr"] == 0.003 and f.evidence["clipped_at"] == 1.0
    assert f.evidence["clipped_loss_last"] < 0.5 * f.evidence["clipped_loss_first"]
    assert f.evidence["largest_clean_lr_unclipped"] < f.evidence["lr"] / 100
    assert not [g for g in result.findings if g.id == "lr-too-high"]
    assert "lr-too-high" in [g.id for g in result.resolved]
    (nan,) = [g for g in result.findings if g.id == "nonfinite-loss"]
    assert nan.evidence["attributed_to"] == "exploding-gradients" and "clip_grad_norm_" in nan.fix


def test_a_clean_clipped_retraining_counts_only_for_a_run_that_blew_up():
    from nndoctor.rules.gradients._signals import clipping_suffices

    clipped = {"clean": True, "lr": 0.1, "max_norm": 1.0, "loss_first": 1.0, "loss_last": 0.2}

    def view(mode="search", nan=True, **extra):
        t = Trace()
        for s, loss in enumerate([1.0, 1.1, 0.9, 0.8]):
            t.scalar("loss", s, loss)
        if nan:
            t.event("nonfinite", 3, kind="loss")
        t.event("lr_probe", 3, mode=mode, clipped=clipped, **extra)
        return t.view(final=True)

    assert clipping_suffices(view()) == clipped
    assert clipping_suffices(view(nan=False)) is None  # nothing broke: no verdict on clipping
    assert clipping_suffices(view(baseline={"clean": False})) is None  # ran for a huge first update
    assert clipping_suffices(view(mode="compare")) is None


def test_a_clipped_retraining_that_bumps_but_recovers_still_counts():
    """A hand-unrolled RNNCell loop: clipped at 1, its re-training jumps 21x on step 1, then
    falls below its start; the probe accepts it (finite and falling), and the gradients are named."""
    from conftest import run_zoo

    result = run_zoo("buggy/exploding-gradients_rnncell_loop_forecast.py")
    (f,) = [f for f in result.findings if f.id == "exploding-gradients"]
    assert f.severity.value == "error" and f.evidence["clipped_at"] == 1.0
    assert not [g for g in result.findings if g.id == "lr-too-high"]
