"""Bug: lr-too-high. Adam with lr=10 (a typo for 1e-3 / "lr=1e1") on a wine classifier: the first
updates move every weight by ~10, the logits blow up and the loss jumps to hundreds."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(35)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e1)
for _ in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 16):
        idx = perm[i : i + 16]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
