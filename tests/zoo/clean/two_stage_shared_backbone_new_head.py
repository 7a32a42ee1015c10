"""Healthy two-stage transfer with a shared backbone: stage 1 pre-trains `pre` (backbone + a
5-class head) on digits 0-4; stage 2 builds `model` (the same backbone + a new 10-class head)
and fine-tunes it with two parameter groups and OneCycleLR stepped every batch. The stage-1
head is no longer used, but it still holds its last gradient (no optimizer clears it any more):
it gets no gradient now, so it is not a layer left out of the optimizer (probe 9: an error,
"params-not-updated" on pre.1)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean()) / X.std(), dtype=torch.float32)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1400], y[:1400], X[1400:], y[1400:]

backbone = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
pre = nn.Sequential(backbone, nn.Linear(64, 5))
opt = torch.optim.Adam(pre.parameters(), lr=2e-3)
first = ytr < 5
for _epoch in range(3):
    for xb, yb in DataLoader(TensorDataset(Xtr[first], ytr[first]), batch_size=64, shuffle=True):
        loss = F.cross_entropy(pre(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

head = nn.Linear(64, 10)
model = nn.Sequential(backbone, head)
opt = torch.optim.AdamW(
    [{"params": backbone.parameters(), "lr": 3e-4}, {"params": head.parameters(), "lr": 3e-3}], weight_decay=1e-2
)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
epochs = 8
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[3e-3, 3e-2], epochs=epochs, steps_per_epoch=len(loader))
for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
    print(f"epoch {epoch}: val loss {F.cross_entropy(out, yva).item():.4f}, "
          f"val accuracy {(out.argmax(1) == yva).float().mean().item():.3f}")
