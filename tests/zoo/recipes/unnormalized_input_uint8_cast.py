"""Bug: uint8 images (0-255) cast to float inside forward but never divided by 255 (unnormalized-input)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.head = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        x = x.float()  # bug: should be x.float() / 255
        return self.head(torch.relu(self.conv(x)).flatten(1))


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits(standardize=False)
    to_img = lambda X: (X * 16).clamp(max=255).to(torch.uint8).reshape(-1, 1, 8, 8)  # noqa: E731
    return recipe_dict(
        Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (to_img(Xtr), ytr, to_img(Xva), yva)
    )
