"""Healthy: a RealNVP normalising flow (6 affine coupling layers with alternating masks, tanh-bounded
log-scales) fitted by maximum likelihood to scikit-learn's two moons; the loss is the negative
log-likelihood in nats per sample."""
import math
import torch
from torch import nn
from sklearn.datasets import make_moons

torch.manual_seed(9)
X, _ = make_moons(n_samples=4000, noise=0.05, random_state=9)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)


class Coupling(nn.Module):
    def __init__(self, mask):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        xm = x * self.mask
        s, t = self.net(xm).chunk(2, dim=1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = xm + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(1)


class Flow(nn.Module):
    def __init__(self):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])] * 3
        self.layers = nn.ModuleList(Coupling(m) for m in masks)

    def log_prob(self, x):
        logdet = torch.zeros(len(x))
        for layer in self.layers:
            x, ld = layer(x)
            logdet = logdet + ld
        base = -0.5 * (x**2).sum(1) - math.log(2 * math.pi)
        return base + logdet


flow = Flow()
opt = torch.optim.Adam(flow.parameters(), lr=1e-3)
for epoch in range(15):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 256):
        loss = -flow.log_prob(X[perm[i:i + 256]]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 3 == 0 or epoch == 14:
        print(f"epoch {epoch} nll {loss.item():.3f}")
print(f"standard-normal nll of the data: {(0.5 * (X**2).sum(1) + math.log(2 * math.pi)).mean().item():.3f}")
