"""Clean: LSTM classifier on synthetic sequences (does the noisy sine have high or low frequency?),
gradient clipping, Adam, StepLR."""
import math
import torch
import torch.nn as nn

torch.manual_seed(1)
N, T = 900, 20
freqs = torch.randint(0, 2, (N,))
t = torch.arange(T).float()
omega = torch.where(freqs == 1, torch.tensor(0.8), torch.tensor(0.25))
phase = torch.rand(N) * 2 * math.pi
X = torch.sin(omega[:, None] * t[None, :] + phase[:, None]) + 0.3 * torch.randn(N, T)
X = X.unsqueeze(-1)  # (N, T, 1)
y = freqs
Xtr, ytr, Xva, yva = X[:750], y[:750], X[750:], y[750:]


class SeqClassifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(h[-1])


model = SeqClassifier()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
crit = nn.CrossEntropyLoss()
for epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        idx = perm[i:i + 50]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
