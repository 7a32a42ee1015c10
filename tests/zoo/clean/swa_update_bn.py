"""Healthy: stochastic weight averaging (torch.optim.swa_utils) on a batch-norm MLP: after the SWA
phase, update_bn() runs the data through the averaged model in train mode under no_grad to
recompute the batch-norm statistics, as documented; then the averaged model is evaluated."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn

torch.manual_seed(19)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:140], y[:140], X[140:], y[140:]

model = nn.Sequential(nn.Linear(13, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
swa_model = AveragedModel(model)
swa_scheduler = SWALR(optimizer, swa_lr=0.02)
loader = [(Xtr[i : i + 20], ytr[i : i + 20]) for i in range(0, len(Xtr), 20)]
for epoch in range(30):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch >= 20:
        swa_model.update_parameters(model)
        swa_scheduler.step()
update_bn(loader, swa_model)
swa_model.eval()
with torch.no_grad():
    acc = (swa_model(Xva).argmax(1) == yva).float().mean().item()
print(f"swa val acc {acc:.3f}")
