"""Healthy: FGSM adversarial training; the attack is crafted in eval mode (model.eval()), the update
is taken in train mode; batch norm and dropout; zero_grad(set_to_none=False)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(9)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        xb, yb = X[idx], y[idx]
        model.eval()
        x_adv = xb.clone().requires_grad_(True)
        grad = torch.autograd.grad(F.cross_entropy(model(x_adv), yb), x_adv)[0]
        x_adv = (xb + 0.05 * grad.sign()).clamp(0, 1).detach()
        model.train()
        optimizer.zero_grad(set_to_none=False)
        loss = 0.5 * (F.cross_entropy(model(xb), yb) + F.cross_entropy(model(x_adv), yb))
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    print(f"epoch {epoch} acc {acc:.3f}")
