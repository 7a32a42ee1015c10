"""Healthy: a BatchNorm CNN on 8x8 digits fed by DataLoaders, per-epoch validation under
model.eval() + torch.no_grad(), and early stopping with patience that restores the best state."""

import copy

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(46)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8)
X = (X - X.mean()) / X.std()
y = torch.tensor(y)
train_dl = DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(X[1400:], y[1400:]), batch_size=128)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1, stride=2), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 4 * 4, 10),
)  # fmt: skip
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
best, best_state, patience, bad = float("inf"), None, 3, 0
for epoch in range(30):
    model.train()
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            total += criterion(model(xb), yb).item() * len(yb)
            n += len(yb)
    val = total / n
    if val < best - 1e-3:
        best, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break
model.load_state_dict(best_state)
print(f"best val loss {best:.3f}")
