"""Bug: a tanh MLP on digits whose Linear layers are all filled with 0.01 by a loop over
model.modules() (meant as a "small init"). The hidden units never become different from each
other: the model learns what one tanh unit per layer can, far below the default init."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(1)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 48), nn.Tanh(), nn.Linear(48, 32), nn.Tanh(), nn.Linear(32, 10))
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.01)  # BUG: small, but the same everywhere
        nn.init.constant_(m.bias, 0.0)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (model(X).argmax(1) == y).float().mean().item()
print(f"loss {loss.item():.3f}, train accuracy {accuracy:.3f}")
