"""Bug: exploding-gradients (a probe's, where lr-too-high took the blame). Hand-unrolled ReLU RNNCell forecaster (identity-initialised recurrent weights, IRNN style) on a
noisy sum-of-sines series, 80 steps of context, SGD with momentum, no gradient clipping."""
import sys
import numpy as np
import torch
from torch import nn

CLIP = False
torch.manual_seed(0); rng = np.random.default_rng(0)
N, T = 3000, 80
t = np.arange(T + 1)[None, :]
f1, f2 = rng.uniform(0.02, 0.08, (N, 1)), rng.uniform(0.1, 0.2, (N, 1))
ph = rng.uniform(0, 6.28, (N, 1))
s = np.sin(2 * np.pi * f1 * t + ph) + 0.5 * np.sin(2 * np.pi * f2 * t) + 0.1 * rng.standard_normal((N, T + 1))
X = torch.tensor(s[:, :T, None], dtype=torch.float32); y = torch.tensor(s[:, T], dtype=torch.float32)
Xtr, ytr, Xva, yva = X[:2500], y[:2500], X[2500:], y[2500:]

class Forecaster(nn.Module):
    def __init__(self, h=64):
        super().__init__()
        self.cell = nn.RNNCell(1, h, nonlinearity="relu")
        with torch.no_grad():
            self.cell.weight_hh.copy_(torch.eye(h)); self.cell.bias_hh.zero_()
        self.head = nn.Linear(h, 1)
    def forward(self, x):
        h = torch.zeros(x.shape[0], self.cell.hidden_size)
        for k in range(x.shape[1]):
            h = self.cell(x[:, k], h)
        return self.head(h).squeeze(-1)

model = Forecaster()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(6):
    perm = torch.randperm(len(ytr))
    for i in range(0, len(ytr), 50):
        b = perm[i:i + 50]
        loss = nn.functional.mse_loss(model(Xtr[b]), ytr[b])
        opt.zero_grad(); loss.backward()
        if CLIP:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    with torch.no_grad():
        vm = nn.functional.mse_loss(model(Xva), yva).item()
    print(f"epoch {epoch} train {loss.item():.4f} val mse {vm:.4f}")
print(f"FINAL val MSE {vm:.4f} (mean baseline {yva.var().item():.4f}, last-value baseline "
      f"{((Xva[:, -1, 0] - yva) ** 2).mean().item():.4f})")
