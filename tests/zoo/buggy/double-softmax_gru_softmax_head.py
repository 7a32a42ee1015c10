"""Bug: the GRU classifier's head ends in nn.Softmax and the loop uses nn.CrossEntropyLoss,
which applies log_softmax itself (double softmax). Data: 3 kinds of synthetic sequences."""
import torch
import torch.nn as nn

torch.manual_seed(10)
N, T = 900, 20
y = torch.randint(0, 3, (N,))
t = torch.linspace(0, 1, T)
base = torch.stack([t, 1 - t, torch.sin(6.28 * 2 * t)])  # rising, falling, oscillating
X = (base[y] + 0.4 * torch.randn(N, T)).unsqueeze(-1)
Xtr, ytr, Xva, yva = X[:750], y[:750], X[750:], y[750:]


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 32, batch_first=True)
        self.head = nn.Sequential(nn.Linear(32, 3), nn.Softmax(dim=-1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


model = GRUClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        idx = perm[i:i + 50]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        print(f"epoch {epoch} loss {loss.item():.3f} val {crit(out, yva).item():.3f} "
              f"acc {(out.argmax(1) == yva).float().mean().item():.3f}")
