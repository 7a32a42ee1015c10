"""Bug: output-activation-mismatch. A regression network on standardised diabetes targets
(about half of them negative, some above 1) ends with a sigmoid, whose outputs lie in (0, 1)."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(8)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())  # bug
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _step in range(10):
    idx = torch.randint(0, len(X), (32,))
    loss = nn.functional.mse_loss(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
