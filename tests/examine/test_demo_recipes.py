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


def test_demo_command_shows_the_bugs_then_the_fix_passing(tmp_path):
    """``nndoctor demo`` end to end (bundled data, no network): findings first, then a clean fix."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "nndoctor", "demo", "--log-dir", str(tmp_path / "runs")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    buggy = out.index("nndoctor examine: buggy_digits_recipe.py")
    fixed = out.index("nndoctor examine: fixed_digits_recipe.py: no problems found")
    for rule_id in ("double-softmax", "missing-activation", "unnormalized-input"):
        assert buggy < out.index(rule_id, buggy) < fixed
    assert "missing-zero-grad" in out[fixed:]  # then the live monitor on the buggy script
