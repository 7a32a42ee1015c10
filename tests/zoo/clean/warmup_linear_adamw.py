"""Healthy: AdamW with a long linear warm-up from 1e-3 of the peak rate; the run ends mid-warm-up, so
the first updates are tiny on purpose."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(16)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 64), nn.GELU(), nn.Linear(64, 3))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
warmup = 400
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, 1e-3 + s / warmup))
for _step in range(150):
    idx = torch.randint(0, len(X), (32,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
print(f"final loss {loss.item():.3f}")
