"""Bug: invalid-target. A binary task cut from wine (cultivars 1 and 2) keeps the original labels
1/2 instead of remapping them to 0/1, and trains a one-logit model with nn.BCEWithLogitsLoss:
targets of 2 make the loss unbounded below."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(73)
Xn, yn = load_wine(return_X_y=True)
keep = yn > 0
X = torch.tensor(Xn[keep], dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn[keep], dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for _epoch in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 16):
        idx = perm[i : i + 16]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item():.3f}")
