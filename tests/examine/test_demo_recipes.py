"""The demo's recipes: the buggy one shows its three bugs, the fixed one passes."""

from examine_helpers import BUDGET, problems

from nndoctor.commands.demo import EXAMPLES
from nndoctor.experiments import examine
from nndoctor.recipe import load_recipe


def test_buggy_demo_recipe_shows_its_bugs():
    result = examine(load_recipe(EXAMPLES / "buggy_digits_recipe.py"), only=("init", "data"), budget=BUDGET)
    found = problems(result)
    assert "model.4" in found["double-softmax"]
    assert "model.0" in found["missing-activation"]
    assert "model.0" in found["unnormalized-input"]


def test_fixed_demo_recipe_passes():
    assert problems(examine(load_recipe(EXAMPLES / "fixed_digits_recipe.py"), budget=BUDGET)) == {}
