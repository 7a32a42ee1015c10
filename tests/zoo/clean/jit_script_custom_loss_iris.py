"""Healthy: an MLP compiled with torch.jit.script, trained with a custom nn.Module loss
(cross-entropy + small logit-norm penalty), on iris; RMSprop."""
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_iris

torch.manual_seed(7)
X, y = load_iris(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)
perm = torch.randperm(len(X))
tr, va = perm[:120], perm[120:]


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.silu(self.fc1(x))
        x = F.silu(self.fc2(x))
        return self.fc3(x)


class CEWithLogitPenalty(nn.Module):
    def __init__(self, beta=1e-3):
        super().__init__()
        self.beta = beta

    def forward(self, logits, target):
        return F.cross_entropy(logits, target) + self.beta * logits.pow(2).sum(1).mean()


model = torch.jit.script(MLP())
crit = CEWithLogitPenalty()
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3)
for epoch in range(80):
    model.train()
    p = tr[torch.randperm(len(tr))]
    for i in range(0, len(p), 16):
        b = p[i:i + 16]
        loss = crit(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 0 or epoch == 79:
        model.eval()
        with torch.no_grad():
            acc = (model(X[va]).argmax(1) == y[va]).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
