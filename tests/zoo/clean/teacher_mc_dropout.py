"""Healthy: a student MLP with dropout distilled from an EMA teacher (run under no_grad in train
mode, never trained by backprop), evaluated with MC-dropout (the same batch several times)."""

import copy

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(8)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)
Xtr, ytr, Xva = X[:140], y[:140], X[140:]

student = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 3))
teacher = copy.deepcopy(student)
for p in teacher.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(student.parameters(), lr=3e-3)
for epoch in range(30):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 28):
        idx = perm[i : i + 28]
        logits = student(Xtr[idx])
        with torch.no_grad():
            soft = teacher(Xtr[idx]).softmax(-1)
        loss = F.cross_entropy(logits, ytr[idx]) + 0.5 * F.kl_div(logits.log_softmax(-1), soft, reduction="batchmean")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pt, ps in zip(teacher.parameters(), student.parameters()):
                pt.mul_(0.95).add_(ps, alpha=0.05)
    if epoch % 10 == 9:
        with torch.no_grad():  # MC-dropout: dropout stays on, the same batch 8 times
            probs = torch.stack([student(Xva).softmax(-1) for _ in range(8)])
        print(f"epoch {epoch} predictive std {probs.std(0).mean().item():.3f}")
