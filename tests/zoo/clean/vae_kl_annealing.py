"""Healthy: a VAE on digits with KL annealing (beta rises linearly from 0 to 1 over the first
epochs): the total loss legitimately goes up while beta grows, because the KL term is being
switched on, then falls."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(21)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
enc = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2 * 4))
dec = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 64))
optimizer = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=3e-3)
step, warmup = 0, 200
for epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        x = X[perm[i : i + 64]]
        mu, logvar = enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        recon = F.binary_cross_entropy_with_logits(dec(z), x, reduction="sum") / len(x)
        kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum() / len(x)
        beta = min(1.0, step / warmup)
        loss = recon + beta * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
    print(f"epoch {epoch} loss {loss.item():.2f} beta {beta:.2f}")
