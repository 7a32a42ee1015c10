"""Attention pooling over a sequence with ``F.softmax(scores)`` and no ``dim``.

``scores`` is (batch, time, 1): 3-D, so the implicit choice normalises over dim 0, the batch,
instead of over time.
"""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
n, length, features = 512, 16, 6
x = torch.randn(n, length, features)
y = (x[:, :, 0].mean(1) > 0).long()


class AttentionPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(features, 32)
        self.score = nn.Linear(32, 1)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        h = torch.tanh(self.encode(x))
        weights = F.softmax(self.score(h))  # bug: no dim; should be dim=1 (time)
        return self.head((weights * h).sum(1))


model = AttentionPool()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(5):
    for i in range(0, n, 64):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[i : i + 64]), y[i : i + 64])
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
