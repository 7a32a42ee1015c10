"""Bug: saturated-activation. A tanh MLP predicts churn from raw usage counts (minutes per month in
the hundreds, number of calls in the tens), never scaled: nearly every first-layer tanh unit
sits at +-1 where its gradient is ~0."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(41)
N = 2000
minutes = torch.rand(N, 1) * 900 + 50
calls = torch.poisson(torch.full((N, 1), 30.0))
tenure = torch.rand(N, 1) * 60
X = torch.cat([minutes, calls, tenure], 1)
y = ((minutes / 900 - tenure / 60 + 0.2 * torch.randn(N, 1)) > 0.1).float().squeeze(1)

model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = F.binary_cross_entropy_with_logits(model(X[idx]).squeeze(1), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
