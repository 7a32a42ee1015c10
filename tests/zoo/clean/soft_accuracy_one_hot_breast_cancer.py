"""Clean: a soft-accuracy objective done right (one minus the probability of the correct class,
read through a one-hot product) on the breast-cancer data, two classes, SGD with momentum."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X) - 31, 32):
        idx = perm[i : i + 32]
        probs = model(X[idx]).softmax(dim=1)
        loss = 1 - (probs * F.one_hot(y[idx], 2)).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"accuracy {(model(X).argmax(1) == y).float().mean():.3f}")
