"""The overfit experiment's loss-curve classifier, on synthetic curves of each shape."""

import numpy as np
import pytest

from nndoctor.experiments.overfit import curve_shape

STEPS = np.arange(200)
RNG = np.random.RandomState(0)


@pytest.mark.parametrize(
    ("curve", "shape"),
    [
        (2.3 + 0.01 * STEPS, "increasing"),
        (2.3 * np.exp(0.05 * STEPS), "explodes"),
        (2.3 - 0.05 * STEPS, "negative"),
        (np.where(STEPS % 2 == 0, 1.0, 4.0) + 0.1 * RNG.rand(200), "oscillating"),
        (2.3 - 0.2 * (1 - np.exp(-STEPS / 10.0)) + 0.001 * RNG.randn(200), "plateau"),
        (2.3 * np.exp(-STEPS / 80.0), "slow"),
    ],
)
def test_each_shape_is_recognised(curve, shape):
    assert curve_shape(list(curve), initial=2.3)["shape"] == shape


def test_negative_is_only_reported_for_losses_that_cannot_be_negative():
    falling = list(1.0 - 0.02 * STEPS)
    assert curve_shape(falling, initial=1.0, nonnegative=True)["shape"] == "negative"
    assert curve_shape(falling, initial=1.0, nonnegative=False)["shape"] == "slow"


def test_a_steady_mini_batch_decrease_is_not_a_plateau():
    """Down 30 % in 150 noisy steps and still going: at its last rate it reaches the target soon."""
    noisy = 2.27 - 0.004 * STEPS[:150] + 0.03 * RNG.randn(150)
    shape = curve_shape(list(noisy), initial=2.27, target=0.68)
    assert shape["shape"] == "slow" and shape["still_falling"]
    flat = 2.27 - 0.0001 * STEPS  # a learning rate far too low: it would take forever
    shape = curve_shape(list(flat), initial=2.27, target=0.68)
    assert shape["shape"] == "plateau" and not shape["still_falling"]
