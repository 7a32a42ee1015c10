"""Healthy recipes get no error and no warning from any experiment (false alarms cost as much as misses)."""

import pytest
from examine_helpers import examined, problems

CLEAN = ["clean_mlp_digits", "clean_bn_wine", "clean_regression_diabetes"]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_recipe_has_no_problems(name):
    result = examined(name)
    statuses = {o.name: o.status for o in result.outcomes}
    assert "failed" not in statuses.values(), statuses
    assert problems(result) == {}, [f.to_dict() for f in result.findings]


def test_every_experiment_ran_on_a_clean_recipe():
    statuses = {o.name: o.status for o in examined("clean_mlp_digits").outcomes}
    assert statuses.pop("gradcheck") == "skipped"  # only stock layers: nothing custom to check
    assert set(statuses.values()) == {"done"}, statuses


def test_report_data_events_are_recorded():
    view = examined("clean_mlp_digits").trace.view()
    curve = view.events("lr_range_curve")[0].data
    assert len(curve["lrs"]) == len(curve["losses"]) > 5
    overfit = view.events("overfit_curve")[0].data
    assert overfit["n"] == 10 and len(overfit["steps"]) == len(overfit["losses"])
    cm = view.events("confusion_matrix")[0].data
    assert cm["labels"] == [str(i) for i in range(10)] and sum(map(sum, cm["matrix"])) == 397
    items = view.events("sample_predictions")[0].data["items"]
    assert {"index", "label", "predicted", "correct"} <= set(items[0])
    bv = view.events("bias_variance")[0].data
    assert bv["train_error"] <= bv["val_error"] < 0.1 and bv["baseline_error"] < 0.1
