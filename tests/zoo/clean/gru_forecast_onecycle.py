"""Clean: GRU one-step-ahead forecaster on a synthetic noisy AR/sine series, windows of 24,
AdamW + OneCycleLR, gradient clipping, MSE."""
import torch
import torch.nn as nn

torch.manual_seed(5)
T = 3000
t = torch.arange(T).float()
series = torch.sin(t * 0.07) + 0.5 * torch.sin(t * 0.23 + 1.0) + 0.1 * torch.randn(T)
W = 24
X = torch.stack([series[i:i + W] for i in range(T - W)]).unsqueeze(-1)  # (N, W, 1)
y = series[W:].unsqueeze(-1)  # (N, 1)
split = int(0.8 * len(X))
Xtr, ytr, Xva, yva = X[:split], y[:split], X[split:], y[split:]


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 32, batch_first=True)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h[:, -1])


model = Forecaster()
epochs, bs = 6, 64
steps = epochs * ((len(Xtr) + bs - 1) // bs)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=steps)
crit = nn.MSELoss()
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr[idx])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        v = crit(model(Xva), yva).item()
    print(f"epoch {epoch} train {loss.item():.4f} val {v:.4f}")
