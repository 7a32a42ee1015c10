"""Bug: loss-shape-broadcast. A house-price style regression: the model output is squeezed to (N,)
but the targets were loaded as a column, (N, 1); SmoothL1Loss broadcasts them to (N, N) with
only a warning, and every prediction is pulled towards the batch's median price."""

import torch
from torch import nn

torch.manual_seed(33)
N = 2000
X = torch.randn(N, 8)
y = (X[:, 0] * 1.5 - X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.2 * torch.randn(N)).unsqueeze(1)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


model = Regressor()
criterion = nn.SmoothL1Loss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
