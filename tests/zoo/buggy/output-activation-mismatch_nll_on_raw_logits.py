"""Bug: output-activation-mismatch. The model returns raw logits (no log_softmax) but the loop uses
nn.NLLLoss, which expects log-probabilities: NLL of logits is just -logit[target], unbounded
below, so the loss runs off to large negative values while the classifier learns little."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(102)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
