"""Healthy: a digits autoencoder with a linear 8-unit code between separate encoder and decoder
modules, a final sigmoid trained with BCE on [0, 1] pixels (confident late: that is its job),
and plain SGD with momentum."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(12)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
        self.decoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
for _step in range(250):
    idx = torch.randint(0, len(X), (64,))
    loss = F.binary_cross_entropy(model(X[idx]), X[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
