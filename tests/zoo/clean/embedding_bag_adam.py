"""Healthy: a bag-of-tokens classifier with a large embedding table (sparse first-layer gradients), Adam."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(14)
V, N, L = 5000, 4096, 20
X = torch.randint(0, V, (N, L))
y = (X < 2500).sum(1).gt(L // 2).long()


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.EmbeddingBag(V, 32, mode="mean")
        self.fc = nn.Linear(32, 2)

    def forward(self, x):
        return self.fc(self.embed(x))


model = BagClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for _step in range(250):
    idx = torch.randint(0, N, (64,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
