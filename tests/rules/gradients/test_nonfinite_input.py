"""nonfinite-input: NaN in the batches is reported with where it sits; healthy data never is."""

from __future__ import annotations

from _gradient_runs import dump, found


def test_constant_features_divided_by_zero_std():
    script = "buggy/nonfinite-input_zero_std_digits.py"
    hits = found(script, "nonfinite-input")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert (f.where, f.step) == ("model", 0)
    assert f.evidence["nonfinite_features"] == [0, 32, 39]  # the three always-blank pixels of the digits
    assert f.evidence["whole_features"] is True
    assert f.evidence["samples_affected"] == f.evidence["batch_size"] == 64
    assert "std" in f.fix and "1e-8" in f.fix


def test_a_few_missing_values():
    script = "buggy/nonfinite-input_missing_values_diabetes.py"
    hits = found(script, "nonfinite-input")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "model"
    assert f.evidence["nonfinite_features"] == [3]
    assert f.evidence["samples_affected"] == 1 and f.evidence["whole_features"] is False
    assert "impute" in f.fix


def test_log_of_zero_in_preprocessing():
    """np.log on breast-cancer features: the concavity columns (mean, se, worst) hold exact zeros -> -inf."""
    script = "buggy/nonfinite-input_log_of_zero_features.py"
    hits = found(script, "nonfinite-input")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "model" and f.evidence["tensor"] == "input"
    assert f.evidence["nan_count"] == 0 and f.evidence["inf_count"] > 0
    assert set(f.evidence["nonfinite_features"]) <= {6, 7, 16, 17, 26, 27} and f.evidence["whole_features"] is False
    assert "log1p" in f.fix


def test_missing_targets():
    script = "buggy/nonfinite-input_nan_targets_wine.py"
    hits = found(script, "nonfinite-input")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "loss function (mse_loss)" and f.evidence["tensor"] == "target"
    assert f.evidence["nan_count"] == 1 and f.evidence["samples_affected"] == 1
    assert "targets" in f.message
    (loss,) = found(script, "nonfinite-loss")
    assert loss.evidence["cause"] == "nonfinite-target"


def test_healthy_runs_do_not_fire(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "nonfinite-input"], name
