"""Healthy: a binary task whose signal is weak by nature (three small linear effects and one
interaction, labels drawn from the logistic; the best possible model scores ~64% accuracy and a
BCE of 92% of ln 2). A small Tanh MLP learns it in its first epoch and converges at that floor:
a loss flat near the constant predictor's that is the data's limit, not a failure to learn."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
N, D = 20000, 10
X = torch.randn(N, D)
w = torch.zeros(D)
w[:3] = torch.tensor([0.5, -0.4, 0.3])
logit = X @ w + 0.3 * X[:, 3] * X[:, 4]
y = (torch.rand(N) < torch.sigmoid(logit)).float()
X_train, y_train, X_val, y_val = X[:16000], y[:16000], X[16000:], y[16000:]

model = nn.Sequential(nn.Linear(D, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(X_train))
    for i in range(0, len(perm), 256):
        idx = perm[i : i + 256]
        loss = F.binary_cross_entropy_with_logits(model(X_train[idx]).squeeze(1), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        scores = model(X_val).squeeze(1)
        accuracy = ((scores > 0).float() == y_val).float().mean().item()
    print(f"epoch {epoch} val accuracy {accuracy:.3f}")
