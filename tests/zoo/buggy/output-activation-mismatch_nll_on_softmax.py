"""Bug: output-activation-mismatch. The model ends in nn.Softmax(dim=1) and its output goes to
nn.NLLLoss, which expects log-probabilities: the "loss" is minus the probability of the right
class, negative and bounded in [-1, 0] (CNN on 8x8 digits)."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(58)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
X = (X - 0.3) / 0.4
y = torch.tensor(y)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 4 * 4, 10), nn.Softmax(dim=1),
)  # fmt: skip
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(6):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item():.3f}")
