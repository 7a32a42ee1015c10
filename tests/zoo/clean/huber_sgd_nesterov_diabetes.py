"""Healthy: regression on diabetes with Huber loss, SGD momentum + nesterov, standardised
inputs and targets, SiLU activations, a ReduceLROnPlateau schedule on validation loss."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(9)
Xn, yn = load_diabetes(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = ((y - y.mean()) / y.std()).unsqueeze(1)
Xtr, ytr, Xva, yva = X[:350], y[:350], X[350:], y[350:]

model = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Linear(64, 32), nn.SiLU(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
loss_fn = nn.HuberLoss(delta=1.0)
for _ in range(30):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xva), yva).item()
    scheduler.step(val)
print(f"val huber {val:.3f}")
