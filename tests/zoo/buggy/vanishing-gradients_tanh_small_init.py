"""Bug: vanishing-gradients. An 8-layer tanh MLP initialised with N(0, 0.01) weights (the "small
random numbers" recipe): every layer shrinks the signal ~10x, so the activations of the deep
layers are ~0 and the first layers' gradients are orders of magnitude below the last layer's."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(60)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

layers, width = [], 64
for _ in range(8):
    layers += [nn.Linear(width, 64), nn.Tanh()]
model = nn.Sequential(*layers, nn.Linear(64, 10))
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
