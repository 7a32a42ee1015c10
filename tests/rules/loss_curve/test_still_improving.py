"""still-improving (info): the run ended while the loss was still falling."""

from __future__ import annotations

import numpy as np
from _curve_traces import curve_trace, noisy

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.still_improving import StillImproving


def test_a_short_run_still_falling_is_reported_as_info():
    result = run_zoo("buggy/still-improving_short_run.py")
    (f,) = [f for f in result.findings if f.id == "still-improving"]
    assert f.severity is Severity.INFO and f.step == 39
    assert f.evidence["projected_drop_if_trained_as_long_again"] >= 0.1
    assert f.evidence["rank_correlation_recent"] <= -0.5


def _check(y, final=True, **kwargs):
    return list(StillImproving().check(curve_trace(y, **kwargs).view(final=final)))


def test_falling_steeply_at_the_end():
    falling = noisy(np.linspace(2.3, 1.0, 100), 0.02)
    assert len(_check(falling)) == 1
    # Losing 3% of its level a step over the last quarter, compounded over 100 steps: ~95% lower,
    # never the "about 100%" (238% projected linearly) of probe 8's distillation run.
    (f,) = _check(noisy(np.geomspace(2.3, 0.2, 100), 0.01))
    projected = f.evidence["projected_drop_if_trained_as_long_again"]
    assert 0.9 < projected < 1 and f"lower it by about {projected:.0%}" in f.message
    assert _check(-np.exp(np.linspace(0, 300, 400))) == []  # falling without bound below 0: no overflow
    assert _check(falling, final=False) == []  # judged at the end of a run only


def test_a_classifier_already_near_zero_loss_is_not_told_to_train_longer():
    # An LSTM at 0.03 (ln 2 = 0.69 for a constant guess) still halving its loss relatively: 100%
    # validation accuracy, nothing left to gain. The same fall from 2.3 to 1.0 is reported.
    result = run_zoo("clean/lstm_frequency_classifier_clip.py")
    assert "still-improving" not in {f.id for f in result.findings}
    nearly_done = noisy(np.geomspace(2.3, 0.05, 100), 0.02)  # 2% of where it started, still falling
    assert _check(nearly_done) == []
    assert len(_check(noisy(np.geomspace(2.3, 0.8, 100), 0.02))) == 1


def test_converged_annealed_or_validated_runs_are_left_alone():
    converged = noisy(np.r_[np.geomspace(2.3, 0.1, 50), np.full(150, 0.1)], 0.1)
    assert _check(converged) == []
    falling = noisy(np.linspace(2.3, 1.0, 100), 0.02)
    lr = np.linspace(1e-2, 1e-4, 100)  # a schedule that ended the run on purpose
    assert _check(falling, lr=lr) == []
    assert _check(falling, val={20: 1.0, 40: 0.8, 60: 0.8, 80: 0.81, 99: 0.82}) == []  # validation flat


def test_the_projection_slows_as_the_curve_has_slowed():
    # a power-law curve, 2 / sqrt(1 + t/20), over 800 steps: trained as long again it loses 33% of
    # its last quarter's level; a constant rate projects 43%, the slowing one 29%
    import math

    from nndoctor.rules.loss import _curve
    from nndoctor.rules.loss.still_improving import _projected_drop

    t = np.arange(800.0)
    y = 2.0 / np.sqrt(1 + t / 20)
    rate = _curve.relative_drop(y[-200:]) / 200
    projected, slowing = _projected_drop(y, 200, rate)
    truth = 1 - (2.0 / math.sqrt(1 + 1599 / 20)) / float(np.median(y[-200:]))
    assert slowing and abs(projected - truth) < abs(-math.expm1(-rate * 800) - truth)
    assert _projected_drop(np.linspace(2.0, 1.0, 800), 200, 0.001)[1] is False  # a straight line does not slow
