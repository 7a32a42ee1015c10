"""Healthy: multi-label classification with BCEWithLogitsLoss (three binary attributes derived from
the wine features), pos_weight for a rare label, an ELU MLP, evaluation under torch.inference_mode."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(8)
Xn, yc = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
alcohol_high = (X[:, 0] > 0).float()
color_high = (X[:, 9] > 0.8).float()
Y = torch.stack([torch.tensor(yc == 0, dtype=torch.float32), alcohol_high, color_high], 1)
perm = torch.randperm(len(X))
X, Y = X[perm], Y[perm]
Xtr, Ytr, Xva, Yva = X[:140], Y[:140], X[140:], Y[140:]

model = nn.Sequential(nn.Linear(13, 32), nn.ELU(), nn.Linear(32, 32), nn.ELU(), nn.Linear(32, 3))
pos = Ytr.mean(0)
loss_fn = nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(60):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = order[i : i + 32]
        loss = loss_fn(model(Xtr[idx]), Ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.inference_mode():
            pred = (model(Xva) > 0).float()
            print(f"epoch {epoch} val exact-match {(pred == Yva).all(1).float().mean().item():.2f}")
