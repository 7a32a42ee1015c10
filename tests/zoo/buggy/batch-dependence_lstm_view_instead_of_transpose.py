"""BUG: the model keeps its LSTM time-major (batch_first=False) and turns its (batch, time, feat)
input around with x.view(T, B, F) instead of x.transpose(0, 1). view() only regroups memory: each
"time step" it hands the LSTM is cut from the values of several samples. Task: does a noisy sine
have high or low frequency (needs the whole sequence)."""
import math
import torch
from torch import nn

torch.manual_seed(11)
N, T = 2000, 40
freq_cls = torch.randint(0, 2, (N,))
freq = torch.where(freq_cls == 1, torch.full((N,), 0.30), torch.full((N,), 0.12))
phase = torch.rand(N) * 2 * math.pi
t = torch.arange(T).float()
X = torch.sin(freq[:, None] * t[None] + phase[:, None]) + 0.2 * torch.randn(N, T)
X = torch.stack([X, torch.cos(freq[:, None] * t[None] + phase[:, None])], -1)  # (N, T, 2)
y = freq_cls
Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]


class Clf(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, 32)  # time-major: (time, batch, feat)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        b, steps, f = x.shape
        seq = x.view(steps, b, f)  # BUG: view is not a transpose
        out, _ = self.lstm(seq)
        return self.head(out[-1])


model = Clf()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(5):
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
