"""Bug: Adam with lr=1e-6 on a GRU regression: the loss stays where it started."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(12)
N, T = 1024, 20
X = torch.randn(N, T, 3)
y = X[:, :, 0].cumsum(1)[:, -1:] / T**0.5


class GRUReg(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h[:, -1])


model = GRUReg()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-6)  # BUG: 1000x below Adam's usual 1e-3
for _epoch in range(8):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = F.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
