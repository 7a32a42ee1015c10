"""Bug: a hand-written negative log-likelihood that lost its minus sign. The loss picks the log
probability of the labelled class by indexing and minimises it, so the model is trained to give
the true class no probability (SGD, a small MLP, the wine data)."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(1)
X, y = load_wine(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        logp = torch.log_softmax(model(X[idx]), dim=1)
        loss = logp[torch.arange(len(idx)), y[idx]].mean()  # BUG: the NLL is minus this
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"accuracy {(model(X).argmax(1) == y).float().mean():.3f}")
