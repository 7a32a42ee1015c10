"""Bug: lr-too-low. clip_grad_norm_ with max_norm=0.001 (meant 1.0) on plain SGD: every step's
gradient is rescaled to norm 1e-3, so the effective step is ~1000x smaller than the learning rate
suggests and the MLP on digits barely moves."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(59)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for _epoch in range(8):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.001)
        optimizer.step()
print(f"last loss {loss.item():.3f}")
