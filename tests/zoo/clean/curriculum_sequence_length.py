"""Healthy: curriculum learning: an LSTM learns to count ones in binary sequences whose length grows
every epoch (8, 16, 24, 32); the loss steps up when harder examples arrive, which is by design."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(28)


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(1)


model = Counter()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for length in (8, 16, 24, 32):
    for _ in range(40):
        x = (torch.rand(64, length, 1) < 0.5).float()
        target = x.sum((1, 2)) / 16.0
        loss = F.mse_loss(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    print(f"length {length} loss {loss.item():.4f}")
