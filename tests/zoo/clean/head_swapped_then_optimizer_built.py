"""Healthy two-stage transfer: pretrain on digits 0-4, freeze the backbone, replace the head for
digits 5-9, then build the probe's optimizer over the new head (the fixed twin of
buggy/params-not-updated_head_swapped_after_pretraining.py). A new layer in a model the monitor
already knows must be named as the model's (``model.head``), not taken for a model of its own."""

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X = (X - X.mean(0)) / X.std(0).clamp_min(1e-3)
first, second = y < 5, y >= 5


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(64, 96), nn.ReLU(), nn.Linear(96, 48), nn.ReLU())
        self.head = nn.Linear(48, classes)

    def forward(self, x):
        return self.head(self.backbone(x))


model = Net(5)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(5):
    for xb, yb in DataLoader(TensorDataset(X[first], y[first]), batch_size=64, shuffle=True):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"pretrained: loss {loss.item():.3f}")

for p in model.backbone.parameters():
    p.requires_grad_(False)
model.head = nn.Linear(48, 5)
optimizer = torch.optim.SGD(model.head.parameters(), lr=0.05, momentum=0.9)
for _epoch in range(12):
    for xb, yb in DataLoader(TensorDataset(X[second], y[second] - 5), batch_size=32, shuffle=True):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"probe: loss {loss.item():.3f}")
