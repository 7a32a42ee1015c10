"""Healthy: a pre-LayerNorm residual MLP with SwiGLU blocks (SiLU gate), AdamW with two parameter
groups (no weight decay on biases and LayerNorm), linear warm-up then cosine decay via LambdaLR."""
import math
import torch
from torch import nn
import torch.nn.functional as F
from sklearn.datasets import make_classification

torch.manual_seed(7)
X, y = make_classification(n_samples=3000, n_features=24, n_informative=12, n_classes=4,
                           n_clusters_per_class=2, class_sep=1.5, random_state=7)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X = (X - X[:2400].mean(0)) / X[:2400].std(0)
Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]


class SwiGLU(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.w1 = nn.Linear(d, h)
        self.w2 = nn.Linear(d, h)
        self.w3 = nn.Linear(h, d)

    def forward(self, x):
        u = self.norm(x)
        return x + self.w3(F.silu(self.w1(u)) * self.w2(u))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(24, 64)
        self.blocks = nn.Sequential(*[SwiGLU(64, 128) for _ in range(3)])
        self.norm = nn.LayerNorm(64)
        self.out = nn.Linear(64, 4)

    def forward(self, x):
        return self.out(self.norm(self.blocks(self.inp(x))))


model = Net()
decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                         {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)
epochs, bs = 8, 128
total = epochs * math.ceil(len(Xtr) / bs)
warm = total // 10


def lr_lambda(s):
    if s < warm:
        return (s + 1) / warm
    return 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm)))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        b = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    if epoch % 2 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
