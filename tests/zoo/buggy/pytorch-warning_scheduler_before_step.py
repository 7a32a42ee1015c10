"""A warm-up schedule stepped before the optimizer: its first learning rate is never used."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 20))
criterion = nn.CrossEntropyLoss()
for epoch in range(20):
    for i in range(0, len(X), 32):
        optimizer.zero_grad()
        loss = criterion(model(X[i : i + 32]), y[i : i + 32])
        loss.backward()
        scheduler.step()  # bug: before optimizer.step()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
