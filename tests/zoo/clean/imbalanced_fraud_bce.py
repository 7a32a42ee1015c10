"""Healthy: a rare-event detector (4% positives) on synthetic transactions, BCEWithLogitsLoss with
pos_weight, a weighted sampler-free loop; most predictions are legitimately 'negative'."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(27)
N = 4000
X = torch.randn(N, 12)
score = 1.5 * X[:, 0] + X[:, 1] * X[:, 2] - X[:, 3]
y = (score > 3.2).float()
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]
pos_weight = (1 - ytr.mean()) / ytr.mean()

model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 128):
        idx = perm[i : i + 128]
        logits = model(Xtr[idx]).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, ytr[idx], pos_weight=pos_weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva).squeeze(1) > 0
        recall = (pred & (yva > 0)).sum().item() / max(1, (yva > 0).sum().item())
    print(f"epoch {epoch} val recall {recall:.2f} positives {ytr.mean().item():.3f}")
