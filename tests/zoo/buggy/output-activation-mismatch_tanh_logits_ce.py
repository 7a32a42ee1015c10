"""Bug: output-activation-mismatch. The classifier's last layer is followed by nn.Tanh(), so the
"logits" given to CrossEntropyLoss are squashed into [-1, 1]: with 10 classes the loss cannot go
below ~0.8 however well the model separates the digits (MLP on digits)."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(52)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10), nn.Tanh())
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(10):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last train loss {loss.item():.3f}")
