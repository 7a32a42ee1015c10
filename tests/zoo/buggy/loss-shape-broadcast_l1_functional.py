"""Bug: loss-shape-broadcast. A CNN regressing the mean pixel intensity squeezes its output to
(N,) but the targets were built with keepdim=True, (N, 1): F.l1_loss broadcasts to (N, N)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(3)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
target = X.flatten(1).mean(dim=1, keepdim=True)  # (N, 1)
target = (target - target.mean()) / target.std()
X = (X - 0.3) / 0.4


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 1)

    def forward(self, x):
        return self.fc(F.relu(self.conv(x)).flatten(1)).squeeze(1)  # (N,)


model = Regressor()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _step in range(10):
    idx = torch.randint(0, len(X), (32,))
    loss = F.l1_loss(model(X[idx]), target[idx])  # bug: (N,) vs (N, 1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
