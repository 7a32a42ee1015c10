"""Bug: eval-mode-training. A 1-D CNN with BatchNorm and dropout is validated every 20 batches
inside the epoch (model.eval() + no_grad), and model.train() is only called at the start of each
epoch: after the first mid-epoch validation, the rest of every epoch trains in eval mode."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(54)
N, L = 1600, 64
t = torch.linspace(0, 1, L)
freq = torch.randint(0, 4, (N,))
X = torch.sin(2 * torch.pi * (3 + 2 * freq[:, None]) * t) + 0.5 * torch.randn(N, L)
X = X.unsqueeze(1)
y = freq
Xtr, ytr, Xva, yva = X[:1300], y[:1300], X[1300:], y[1300:]

model = nn.Sequential(
    nn.Conv1d(1, 16, 5, padding=2), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
    nn.Flatten(), nn.Dropout(0.3), nn.Linear(32, 4),
)  # fmt: skip
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for _epoch in range(5):
    model.train()
    perm = torch.randperm(len(Xtr))
    for b, i in enumerate(range(0, len(Xtr), 32)):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if b % 20 == 19:
            model.eval()
            with torch.no_grad():
                val = F.cross_entropy(model(Xva), yva).item()
print(f"val loss {val:.3f}")
