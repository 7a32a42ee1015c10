"""Bug: dead-relu. The hidden layers' biases start at -3, so almost every ReLU unit outputs 0
for every input from the first step; those units get no gradient and never recover."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
with torch.no_grad():
    model[0].bias.fill_(-3.0)  # bug: a large negative bias init
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for _step in range(60):
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
