"""Healthy: SimCLR-style contrastive learning on digits: two noisy, masked views of each image,
an encoder and projection head, and the InfoNCE (NT-Xent) loss computed with cross_entropy on
cosine similarities divided by a temperature of 0.1."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(23)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)

encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
projector = nn.Sequential(nn.ReLU(), nn.Linear(64, 32))
params = list(encoder.parameters()) + list(projector.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)


def augment(x):
    keep = (torch.rand_like(x) > 0.2).float()
    return x * keep + 0.2 * torch.randn_like(x)


tau = 0.1
for step in range(200):
    x = X[torch.randint(0, len(X), (128,))]
    z = F.normalize(projector(encoder(torch.cat([augment(x), augment(x)]))), dim=1)
    sim = z @ z.t() / tau
    sim = sim.masked_fill(torch.eye(len(z), dtype=torch.bool), float("-inf"))
    n = len(x)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    loss = F.cross_entropy(sim, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step} nt-xent {loss.item():.3f}")
