"""Clean: a small Gaussian-decoder VAE on standardized wine features (reconstruction + KL)."""
import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(1)
X, _ = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)


class VAE(nn.Module):
    def __init__(self, d=13, h=32, z=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        e = self.enc(x)
        mu, logvar = self.mu(e), self.logvar(e)
        zs = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(zs), mu, logvar


model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(150):
    perm = torch.randperm(len(X))
    tot = 0.0
    for i in range(0, len(X), 32):
        x = X[perm[i:i + 32]]
        rec, mu, logvar = model(x)
        rec_loss = ((rec - x) ** 2).sum(1).mean()
        kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)).mean()
        loss = rec_loss + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(x)
    if epoch % 25 == 0 or epoch == 149:
        print(f"epoch {epoch} elbo-loss {tot / len(X):.3f}")
