"""Healthy: breast-cancer MLP with dropout and weight decay, early stopping on validation loss
(patience 5, best weights restored), the usual train()/eval() switching each epoch."""

import copy

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(11)
Xn, yn = load_breast_cancer(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:450], y[:450], X[450:], y[450:]
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

model = nn.Sequential(
    nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1)
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
best, best_state, patience = float("inf"), None, 0
for epoch in range(100):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = order[i : i + 32]
        loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]).squeeze(1), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = F.binary_cross_entropy_with_logits(model(Xva).squeeze(1), yva).item()
    if val < best - 1e-4:
        best, best_state, patience = val, copy.deepcopy(model.state_dict()), 0
    else:
        patience += 1
        if patience >= 5:
            print(f"early stop at epoch {epoch}")
            break
model.load_state_dict(best_state)
print(f"best val loss {best:.3f}")
