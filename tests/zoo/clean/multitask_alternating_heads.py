"""Healthy: multi-task learning with a shared trunk and two heads (digit class, and "is the digit
>= 5"), batches alternating between the tasks: each head gets a gradient every other step."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(51)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)


class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(64, 64), nn.ReLU())
        self.digit = nn.Linear(64, 10)
        self.big = nn.Linear(64, 1)

    def forward(self, x, task):
        h = self.trunk(x)
        return self.digit(h) if task == "digit" else self.big(h).squeeze(1)


model = MultiTask()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(5):
    perm = torch.randperm(len(X))
    for k, i in enumerate(range(0, len(X), 32)):
        idx = perm[i : i + 32]
        if k % 2 == 0:
            loss = F.cross_entropy(model(X[idx], "digit"), y[idx])
        else:
            loss = F.binary_cross_entropy_with_logits(model(X[idx], "big"), (y[idx] >= 5).float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
