"""Healthy: a deep MLP whose blocks run under torch.utils.checkpoint (activations recomputed in
backward), with a learnable per-feature temperature (a bare nn.Parameter used in forward) on iris."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn
from torch.utils.checkpoint import checkpoint

torch.manual_seed(16)
Xn, yn = load_iris(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 32)
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(32), nn.Linear(32, 32), nn.GELU()) for _ in range(4))
        self.scale = nn.Parameter(torch.ones(32))
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + checkpoint(block, h, use_reentrant=False)
        return self.out(h * self.scale)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _ in range(40):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 30):
        idx = perm[i : i + 30]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
