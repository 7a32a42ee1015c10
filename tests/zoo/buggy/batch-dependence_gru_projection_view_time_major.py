"""BUG: a time-major GRU (batch_first=False) after a per-step input projection: the projected
(batch, time, hidden) activations are turned into (time, batch, hidden) with h.view(T, B, H)
instead of h.transpose(0, 1). view() only regroups memory, so each step the GRU reads mixes
pieces of several samples. Task: is the running sum of a noisy +-1 sequence positive at the end."""
import torch
from torch import nn

torch.manual_seed(5)
N, T = 2000, 30
steps = torch.randint(0, 2, (N, T)).float() * 2 - 1
X = torch.stack([steps + 0.3 * torch.randn(N, T), torch.randn(N, T)], -1)  # (N, T, 2)
y = (steps.sum(1) > 0).long()
Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(2, 24)
        self.gru = nn.GRU(24, 32)  # (time, batch, features)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        b, steps, _ = x.shape
        h = torch.tanh(self.proj(x))
        h = h.view(steps, b, -1)  # BUG: view is not a transpose
        out, _ = self.gru(h)
        return self.head(out[-1])


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(5):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 64):
        idx = perm[i:i + 64]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
