"""Bug: loss-shape-broadcast. The model outputs (N, 1) but the targets are (N,): MSELoss
broadcasts them to (N, N) and every prediction is pulled towards the batch mean."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(5)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)
y = (y - y.mean()) / y.std()  # shape (N,): bug, the model's output is (N, 1)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _step in range(10):
    idx = torch.randint(0, len(X), (32,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
