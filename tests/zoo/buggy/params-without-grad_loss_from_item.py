"""Bug: the loss is rebuilt from .item() (a Python float), so it is not connected to the model and
no parameter ever gets a gradient."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(2)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for _step in range(60):
    idx = torch.randint(0, len(X), (32,))
    batch_loss = F.cross_entropy(model(X[idx]), y[idx]).item()
    loss = torch.tensor(batch_loss, requires_grad=True)  # BUG: a new leaf, detached from the model
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
