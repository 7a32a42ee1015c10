"""Healthy (harmless redundancy): the model ends in nn.LogSoftmax and is trained with
CrossEntropyLoss. log_softmax is idempotent (log_softmax(log_softmax(x)) = log_softmax(x)), so
the loss and gradients are exactly those of NLLLoss on the same outputs; training is unaffected."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(53)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3), nn.LogSoftmax(dim=1))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _ in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 16):
        idx = perm[i : i + 16]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
