"""BUG: raw breast-cancer features (areas in the thousands next to ratios near 0.1) go straight
into an MLP trained with SGD and momentum: the first update is enormous, the ReLUs die, and the
model answers one class. The learning rate is not the problem; the input scale is."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
perm = torch.randperm(len(y))
Xtr, ytr, Xva, yva = X[perm[:450]], y[perm[:450]], X[perm[450:]], y[perm[450:]]

model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(12):
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = order[i : i + 32]
        loss = loss_fn(model(Xtr[idx]).squeeze(1), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = ((model(Xva).squeeze(1) > 0).float() == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
