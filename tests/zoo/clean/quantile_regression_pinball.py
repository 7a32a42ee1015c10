"""Healthy: multi-quantile regression (10th, 50th, 90th percentiles) on heteroscedastic data with a
hand-written pinball loss; one network with three outputs, Adam; the empirical coverage of the
predicted quantiles on held-out data matches the nominal levels. The pinball loss has a positive floor."""
import torch
from torch import nn

torch.manual_seed(23)
N = 5000
x = torch.rand(N, 1) * 6 - 3
y = torch.sin(x) * 2 + (0.2 + 0.4 * x.abs()) * torch.randn(N, 1)
qs = torch.tensor([0.1, 0.5, 0.9])
tr, va = slice(0, 4000), slice(4000, N)


def pinball(pred, target):
    err = target - pred
    return torch.maximum(qs * err, (qs - 1) * err).mean()


model = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(30):
    perm = torch.randperm(4000)
    for i in range(0, 4000, 100):
        b = perm[i:i + 100]
        loss = pinball(model(x[tr][b]), y[tr][b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 6 == 5:
        with torch.no_grad():
            p = model(x[va])
            cover = (y[va] <= p).float().mean(0)
            vl = pinball(p, y[va]).item()
        print(f"epoch {epoch} train {loss.item():.4f} val {vl:.4f} coverage {[round(c, 3) for c in cover.tolist()]}")
