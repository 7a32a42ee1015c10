"""Bug: binary cross-entropy written by hand on sigmoid outputs; on unscaled features the sigmoid
saturates to exactly 1.0 in float32, log(1 - p) = log(0) = -inf, and the loss is inf/NaN."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)  # raw features, some in the thousands
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for _step in range(30):
    idx = torch.randint(0, len(X), (64,))
    p = torch.sigmoid(model(X[idx]))
    loss = -(y[idx] * torch.log(p) + (1 - y[idx]) * torch.log(1 - p)).mean()  # BUG: log(0) when p saturates
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
