"""Healthy: breast cancer with the malignant class thinned to 1 in 10 of the benign, an unweighted
cross-entropy: the classes are imbalanced, but the signal is strong and the model finds nearly
every malignant case (validation recall printed), so there is nothing to weight."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = 1 - torch.tensor(y)  # 1 = malignant
g = torch.Generator().manual_seed(0)
keep = (y == 0) | (torch.rand(len(y), generator=g) < 0.17)
X, y = X[keep], y[keep]
perm = torch.randperm(len(X), generator=g)
X, y = X[perm], y[perm]
n = int(0.75 * len(X))
mu, sd = X[:n].mean(0), X[:n].std(0)
X = (X - mu) / sd
Xtr, ytr, Xva, yva = X[:n], y[:n], X[n:], y[n:]

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
for epoch in range(30):
    model.train()
    for i in range(0, n, 16):
        loss = loss_fn(model(Xtr[i : i + 16]), ytr[i : i + 16])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        val_loss = loss_fn(logits, yva)
    pred = logits.argmax(1)
    recall = (pred[yva == 1] == 1).float().mean()
print(f"malignant share {ytr.float().mean():.3f} val loss {val_loss.item():.3f} malignant recall {recall:.2f}")
