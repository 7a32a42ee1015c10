"""too-much-regularization (live): dropout so heavy the model learns nothing; heavy dropout that trains is fine."""

from __future__ import annotations

from conftest import run_zoo
from nndoctor.findings import Severity


def _dropout_findings(result):
    return [f for f in result.findings if f.id == "too-much-regularization" and "dropout_p" in f.evidence]


def test_dropout_that_drops_nine_tenths_everywhere_is_found():
    # Dropout(0.9) after each of three hidden layers (meant as a keep probability): the loss sits at ln 10.
    (f,) = _dropout_findings(run_zoo("buggy/too-much-regularization_dropout_09_digits.py"))
    ev = f.evidence
    assert f.severity is Severity.ERROR and f.where == "model.2"
    assert ev["dropout_p"] == {"model.2": 0.9, "model.5": 0.9, "model.8": 0.9}
    assert abs(ev["keep_probability_product"] - 1e-3) < 1e-6
    assert ev["recent_loss"] >= 0.9 * ev["constant_predictor_loss"]
    assert "p=0.2" in f.fix and "share dropped" in f.fix


def test_heavy_dropout_on_a_model_that_learns_is_left_alone():
    # p=0.8 on 1024 hidden units, then 0.5: the wide model still learns (train loss 0.03)
    result = run_zoo("clean/heavy_dropout_wide_mlp_digits.py")
    assert result.exit_code == 0 and _dropout_findings(result) == []


def test_healthy_runs_with_dropout_are_not_accused(clean_results):
    for name, result in clean_results.items():
        assert _dropout_findings(result) == [], name
