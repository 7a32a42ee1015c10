"""BUG: inputs are (batch, time, feat) but nn.LSTM is built without batch_first=True, so the LSTM
runs over the *batch* axis (samples leak into each other) and out[:, -1] reads the last time step
of each sample only. Task: does a noisy sine sequence have high or low frequency (needs the whole sequence)."""
import math
import torch
from torch import nn

torch.manual_seed(11)
N, T = 3000, 40
freq_cls = torch.randint(0, 2, (N,))
freq = torch.where(freq_cls == 1, torch.full((N,), 0.30), torch.full((N,), 0.12))
phase = torch.rand(N) * 2 * math.pi
t = torch.arange(T).float()
X = torch.sin(freq[:, None] * t[None] + phase[:, None]) + 0.2 * torch.randn(N, T)
X = X.unsqueeze(-1)  # (N, T, 1)
y = freq_cls
Xtr, ytr, Xva, yva = X[:2500], y[:2500], X[2500:], y[2500:]


class Clf(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32)  # BUG: batch_first defaults to False
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.lstm(x)          # treated as (seq=batch, batch=time, feat)
        return self.head(out[:, -1])   # "last time step"


model = Clf()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        loss = crit(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
