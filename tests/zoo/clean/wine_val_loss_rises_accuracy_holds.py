"""Healthy: a wine classifier (AdamW with weight decay, evaluated every epoch on 45 held-out
examples) whose validation accuracy holds at ~96% from epoch 10 on, while its validation loss
creeps up ~25%: the two examples it gets wrong, it gets wrong ever more confidently. Its
decisions do not overfit, only its probabilities (probe 8: warned as memorising the training
set, with a weight decay weaker than the one it already had as the fix)."""

import numpy as np
import torch
from sklearn.datasets import load_wine
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
perm = np.random.default_rng(0).permutation(len(X))  # wine is sorted by class
X, y = X[perm], y[perm]
split = int(0.75 * len(X))
mu, sd = X[:split].mean(0), X[:split].std(0)
X = torch.tensor((X - mu) / sd, dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:split], y[:split], X[split:], y[split:]

model = nn.Sequential(nn.Linear(13, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 3))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(30):
    model.train()
    for xb, yb in DataLoader(TensorDataset(Xtr, ytr), batch_size=16, shuffle=True):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss, accuracy = loss_fn(out, yva).item(), (out.argmax(1) == yva).float().mean().item()
    if epoch % 5 == 4:
        print(f"epoch {epoch}: val loss {val_loss:.4f}, val accuracy {accuracy:.3f}")
