"""Healthy: regression on scikit-learn diabetes with StandardScaler on inputs and targets, AdamW
and a linear warm-up then cosine decay written as a LambdaLR stepped after optimizer.step()."""

import math

import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(45)
X, y = load_diabetes(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
xs, ys = StandardScaler().fit(Xtr), StandardScaler().fit(ytr.reshape(-1, 1))
Xtr, Xva = (torch.tensor(xs.transform(a), dtype=torch.float32) for a in (Xtr, Xva))
ytr, yva = (torch.tensor(ys.transform(a.reshape(-1, 1)), dtype=torch.float32) for a in (ytr, yva))

model = nn.Sequential(nn.Linear(10, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
epochs, batch = 60, 32
total = epochs * math.ceil(len(Xtr) / batch)
warmup = total // 10


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.MSELoss()
for _epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), batch):
        idx = perm[i : i + batch]
        loss = criterion(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        val = criterion(model(Xva), yva).item()
print(f"val mse (standardised) {val:.3f}")
