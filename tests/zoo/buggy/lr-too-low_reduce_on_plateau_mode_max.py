"""Bug: lr-too-low. ReduceLROnPlateau is built with mode="max" but stepped with the validation
*loss*: a falling loss looks like "no improvement", so the rate is cut 10x every other epoch and
the MLP stops learning on wine long before it converged."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(56)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:140], y[:140], X[140:], y[140:]

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.1, patience=1)
for _epoch in range(60):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 16):
        idx = perm[i : i + 16]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = F.cross_entropy(model(Xva), yva)
    scheduler.step(val)
print(f"val loss {val.item():.3f} lr {optimizer.param_groups[0]['lr']:.1e}")
