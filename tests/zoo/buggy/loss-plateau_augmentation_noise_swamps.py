"""Bug: loss-plateau. "Gaussian-noise augmentation" with std=8 is added to standardised digit
features (a mistaken scale: meant 0.08): the noise swamps the signal, so the labels are almost
unpredictable from what the model sees and the training loss sits near ln(10)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(55)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
noise_std = 8.0

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(10):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        idx = perm[i : i + 64]
        xb = X[idx] + noise_std * torch.randn_like(X[idx])
        loss = F.cross_entropy(model(xb), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item():.3f}")
