"""Healthy: a GRU forecasting the next 5 values of a noisy sum of sines from a 30-step window
(seq-to-vector regression), gradient clipping with clip_grad_norm_(1.0), Adam and a StepLR."""
import math
import torch
from torch import nn

torch.manual_seed(5)
T = 1600
t = torch.arange(T, dtype=torch.float32)
series = torch.sin(2 * math.pi * t / 50) + 0.5 * torch.sin(2 * math.pi * t / 17) + 0.1 * torch.randn(T)
W, H = 30, 5
idx = torch.arange(T - W - H)
X = torch.stack([series[i:i + W] for i in idx]).unsqueeze(-1)
Y = torch.stack([series[i + W:i + W + H] for i in idx])
n_tr = int(0.8 * len(X))
Xtr, Ytr, Xva, Yva = X[:n_tr], Y[:n_tr], X[n_tr:], Y[n_tr:]


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 64, batch_first=True)
        self.head = nn.Linear(64, H)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
crit = nn.MSELoss()
for epoch in range(14):
    model.train()
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, 64):
        b = perm[i:i + 64]
        loss = crit(model(Xtr[b]), Ytr[b])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        val = crit(model(Xva), Yva).item()
    print(f"epoch {epoch} train {loss.item():.4f} val {val:.4f}")
print(f"naive last-value mse {crit(Xva[:, -1].expand(-1, H), Yva).item():.4f}")
