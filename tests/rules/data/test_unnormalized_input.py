"""unnormalized-input: raw pixels and unscaled tabular features; not when the model normalises."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.rules.data.unnormalized_input import UnnormalizedInput
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,evidence_key,low,fix_word",
    [
        ("buggy/unnormalized-input_raw_digits.py", "input_rms", 5, "standardise"),  # MLP, 0-16 values
        ("buggy/unnormalized-input_tabular_wine.py", "feature_rms_max", 300, "standardise"),  # proline ~750
        ("buggy/unnormalized-input_pixels_cnn.py", "input_absmax", 250, "255"),  # CNN, 0-255 pixels
        ("buggy/unnormalized-input_sensor_kelvin_conv1d.py", "input_mean", 300, "standardise"),  # 1-D conv, K/hPa
        # ten standardised features and one raw income column in dollars
        ("buggy/unnormalized-input_one_raw_column.py", "feature_rms_max", 10_000, "standardise"),
    ],
)
def test_unnormalised_inputs_are_found(script, evidence_key, low, fix_word):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "unnormalized-input"]
    assert f.where == "model"
    assert f.evidence[evidence_key] >= low
    assert fix_word in f.fix.lower()


def test_healthy_runs_are_normalised(clean_results):
    # Includes 0-255 pixels that the model scales itself in forward, and token-id inputs.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "unnormalized-input"], name


def _trace(rms, first_rms=None, n=3):
    trace = Trace()
    for step in range(n):
        for name, value in (("rms", rms), ("absmax", rms * 3), ("mean", rms / 2), ("std", rms)):
            trace.scalar(f"input_{name}", step, value, "model")
        for name, value in (("feature_rms_max", rms * 1.5), ("feature_rms_median", rms), ("feature_argmax", 0)):
            trace.scalar(f"input_{name}", step, value, "model")
        if first_rms is not None:
            for name, value in (("rms", first_rms), ("absmax", first_rms * 3), ("mean", 0), ("std", first_rms)):
                trace.scalar(f"first_layer_input_{name}", step, value, "model")
            for name, value in (
                ("feature_rms_max", first_rms),
                ("feature_rms_median", first_rms),
                ("feature_argmax", 0),
            ):
                trace.scalar(f"first_layer_input_{name}", step, value, "model")
    return trace.view()


def test_scaling_inside_the_model_and_tiny_inputs():
    assert len(list(UnnormalizedInput().check(_trace(80.0, first_rms=80.0)))) == 1
    assert list(UnnormalizedInput().check(_trace(80.0, first_rms=0.9))) == []  # model divides by 255 itself
    assert list(UnnormalizedInput().check(_trace(80.0))) == []  # no weight layer takes the input (a formula in t)
    assert list(UnnormalizedInput().check(_trace(80.0, first_rms=80.0, n=2))) == []  # too few batches yet
    (f,) = UnnormalizedInput().check(_trace(1e-4, first_rms=1e-4))
    assert "tiny" in f.message
    assert list(UnnormalizedInput().check(_trace(1.0, first_rms=1.0))) == []
