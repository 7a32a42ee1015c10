"""Healthy: a wider VAE on digits (two ReLU layers of 256 in the encoder, Adam at 3e-3).

Most units of the encoder's second ReLU layer go silent during training (the KL term pushes the
posterior towards the prior, so the encoder needs few active features), yet the ELBO keeps
improving: ends lower than the same model at lr 1e-3. Dead units here cost capacity the model
does not need; they are worth a note, not an alarm.
"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0


class VAE(nn.Module):
    def __init__(self, z=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU())
        self.mu = nn.Linear(256, z)
        self.logvar = nn.Linear(256, z)
        self.dec = nn.Sequential(nn.Linear(z, 256), nn.ReLU(), nn.Linear(256, 64))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


model = VAE()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(40):
    perm = torch.randperm(len(X))
    total = 0.0
    for i in range(0, len(X), 64):
        x = X[perm[i : i + 64]]
        logits, mu, logvar = model(x)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x)
        loss = recon + kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    if epoch % 10 == 9:
        print(f"epoch {epoch} elbo loss {total / len(X):.2f}")
