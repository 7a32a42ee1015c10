"""Clean: deep MLP (8 Linear+BatchNorm+ReLU blocks) run with torch.utils.checkpoint.checkpoint_sequential
(reentrant variant, 4 segments) on standardised digits, SGD momentum + cosine schedule."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.checkpoint import checkpoint_sequential
from sklearn.datasets import load_digits

torch.manual_seed(8)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1400], y[:1400], X[1400:], y[1400:]


class DeepNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(64, 128)
        layers = []
        for _ in range(8):
            layers += [nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        h = F.relu(self.inp(x))
        if self.training:
            h = checkpoint_sequential(self.body, 4, h, use_reentrant=True)
        else:
            h = self.body(h)
        return self.head(h)


model = DeepNet()
epochs, bs = 8, 64
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
