"""Loading recipes: tensors, Datasets and DataLoaders become tensors; every mistake is one clear BadInput."""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from nndoctor.errors import BadInput
from nndoctor.recipe import load_recipe, recipe_from_dict


def _spec(**over):
    spec = {
        "model": nn.Linear(3, 2),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.SGD(p, lr=0.1),
        "train": (torch.randn(20, 3), torch.randint(0, 2, (20,))),
    }
    spec.update(over)
    return spec


class Pairs(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        return torch.full((3,), float(i)), i % 2


def test_tensors_dataset_and_loader_are_read_into_tensors():
    r = recipe_from_dict(_spec(val=Pairs()))
    assert r.train_x.shape == (20, 3) and r.batch_size == 32
    assert r.val_x.shape == (12, 3) and r.val_y.tolist() == [i % 2 for i in range(12)]
    loader = DataLoader(TensorDataset(torch.randn(10, 3), torch.zeros(10, dtype=torch.long)), batch_size=4)
    assert recipe_from_dict(_spec(train=loader)).train_x.shape == (10, 3)


def test_large_data_is_subsampled_deterministically():
    from nndoctor.recipe import read_data

    x, y, n = read_data((torch.arange(50).float().unsqueeze(1), torch.arange(50)), "train", limit=10)
    again, _, _ = read_data((torch.arange(50).float().unsqueeze(1), torch.arange(50)), "train", limit=10)
    assert n == 50 and len(x) == 10 and torch.equal(x, again) and torch.equal(x[:, 0].long(), y)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"model": nn.Linear(3, 2).weight}, "'model' must be a torch.nn.Module"),
        ({"loss_fn": 3}, "'loss_fn' must be callable"),
        ({"optimizer": "adam"}, "'optimizer' must be callable"),
        ({"optimizer": lambda p: 3}, "must return a torch.optim.Optimizer"),
        ({"batch_size": 0}, "'batch_size' must be a positive int"),
        ({"train": (torch.zeros(5, 3), torch.zeros(4))}, "5 inputs but 4 targets"),
        ({"train": [1, 2, 3]}, "must be (X, y) tensors or a torch Dataset"),
        ({"val": (torch.zeros(5, 4), torch.zeros(5))}, "'val' inputs have shape (4,) per example"),
    ],
)
def test_bad_recipe_dicts_are_bad_input(over, message):
    with pytest.raises(BadInput, match=None) as info:
        recipe_from_dict(_spec(**over))
    assert message in str(info.value)


def test_frozen_model_is_bad_input():
    model = nn.Linear(3, 2).requires_grad_(False)
    with pytest.raises(BadInput, match="no trainable parameters"):
        recipe_from_dict(_spec(model=model))


def test_recipe_file_errors(tmp_path):
    bad = tmp_path / "syntax.py"
    bad.write_text("def recipe(:\n")
    with pytest.raises(BadInput, match="not valid Python"):
        load_recipe(bad)
    lst = tmp_path / "list.py"
    lst.write_text("def recipe():\n    return [1]\n")
    with pytest.raises(BadInput, match="must return a dict, got list"):
        load_recipe(lst)
    with pytest.raises(BadInput, match="is not a Python recipe file"):
        load_recipe(tmp_path)
