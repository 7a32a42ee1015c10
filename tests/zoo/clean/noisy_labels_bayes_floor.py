"""Healthy: two overlapping Gaussian classes with 25% of the labels flipped at random; the loss
flattens early near the Bayes error (about 0.6 nats), which is the best any model can do."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(15)
N = 3000
y_true = torch.randint(0, 2, (N,))
X = torch.randn(N, 2) + (y_true.float() * 2 - 1).unsqueeze(1) * torch.tensor([1.5, 0.0])
flip = torch.rand(N) < 0.25
y = torch.where(flip, 1 - y_true, y_true)

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(10):
    perm = torch.randperm(N)
    for i in range(0, N, 100):
        idx = perm[i : i + 100]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
