"""``nndoctor examine`` through the real command line: bad input is one line and exit 2; a completed
examination exits 0 whatever it found, and writes the findings JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BAD = {
    "no_recipe_function.py": ("import torch\nX = 1\n", "does not define recipe()"),
    "missing_key.py": (
        "import torch\nfrom torch import nn\n"
        "def recipe():\n    return {'model': nn.Linear(2, 1), 'loss_fn': nn.MSELoss(), 'train': (torch.zeros(4, 2), torch.zeros(4, 1))}\n",
        "missing 'optimizer'",
    ),
    "not_a_module.py": (
        "import torch\n"
        "def recipe():\n    return {'model': 'resnet', 'loss_fn': None, 'optimizer': None, 'train': None}\n",
        "'model' must be a torch.nn.Module",
    ),
    "mismatched.py": (
        "import torch\nfrom torch import nn\n"
        "def recipe():\n    return {'model': nn.Linear(2, 1), 'loss_fn': nn.MSELoss(),\n"
        "            'optimizer': lambda p: torch.optim.SGD(p, lr=0.1), 'train': (torch.zeros(10, 2), torch.zeros(9, 1))}\n",
        "10 inputs but 9 targets",
    ),
    "raises.py": (
        "def recipe():\n    raise FileNotFoundError('data/train.csv')\n",
        "raised FileNotFoundError: data/train.csv",
    ),
    "forward_fails.py": (
        "import torch\nfrom torch import nn\n"
        "def recipe():\n    return {'model': nn.Linear(3, 1), 'loss_fn': nn.MSELoss(),\n"
        "            'optimizer': lambda p: torch.optim.SGD(p, lr=0.1), 'train': (torch.zeros(10, 2), torch.zeros(10, 1))}\n",
        "the model raised RuntimeError",
    ),
}


def _examine(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "nndoctor", "examine", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_recipe_is_one_line_and_exit_2(tmp_path, name):
    source, expected = BAD[name]
    path = tmp_path / name
    path.write_text(source)
    proc = _examine(str(path))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0] and lines[0].startswith("nndoctor: error:")
    assert "Traceback" not in proc.stderr


def test_missing_file_is_exit_2(tmp_path):
    proc = _examine(str(tmp_path / "nope.py"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"nndoctor: error: no such recipe file: {tmp_path / 'nope.py'}"


def test_completed_examination_exits_0_and_writes_json(tmp_path):
    recipe = Path(__file__).resolve().parent.parent / "zoo" / "recipes" / "missing_activation_wine_dropout.py"
    out = tmp_path / "findings.json"
    proc = _examine("--quick", "--only", "init", "--json", str(out), str(recipe))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    ids = [f["id"] for f in doc["findings"]]
    assert "missing-activation" in ids
    assert all({"id", "severity", "where", "evidence", "fix"} <= set(f) for f in doc["findings"])
    assert "missing-activation" in proc.stderr and proc.stdout == ""
