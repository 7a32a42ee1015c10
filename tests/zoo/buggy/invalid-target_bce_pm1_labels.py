"""Bug: invalid-target. Breast-cancer labels are converted to an SVM-style -1/+1 convention and
fed to BCEWithLogitsLoss, which expects 0/1: for the -1 samples the loss is unbounded below, so
their logits are pushed to -infinity and the reported loss goes negative."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(70)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32) * 2 - 1

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(15):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.binary_cross_entropy_with_logits(model(X[idx]).squeeze(1), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item():.3f}")
