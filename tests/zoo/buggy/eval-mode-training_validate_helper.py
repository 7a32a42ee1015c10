"""Bug: eval-mode-training. A validate() helper calls model.eval() and the training loop never
calls model.train() (it was only called once, before the loop): from the second epoch on,
BatchNorm1d uses frozen running statistics and dropout is off while training wine features."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(32)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:140], y[:140], X[140:], y[140:]

model = nn.Sequential(nn.Linear(13, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def validate():
    model.eval()
    with torch.no_grad():
        return F.cross_entropy(model(Xva), yva).item()


model.train()
for _ in range(25):
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 16):
        idx = order[i : i + 16]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        loss.backward()
        optimizer.step()
    val = validate()
print(f"val loss {val:.3f}")
