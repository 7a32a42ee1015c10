"""Clean: pre-LN residual MLP blocks (LayerNorm + GELU), AdamW with decoupled wd on weights only,
linear warmup over first 10% of steps then cosine decay (LambdaLR stepped per batch). Digits."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
m, s = Xtr.mean(0), Xtr.std(0) + 1e-6
Xtr = torch.tensor((Xtr - m) / s, dtype=torch.float32); Xte = torch.tensor((Xte - m) / s, dtype=torch.float32)
ytr = torch.tensor(ytr); yte = torch.tensor(yte)

class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, h)
        self.fc2 = nn.Linear(h, d)
        self.drop = nn.Dropout(0.1)
    def forward(self, x):
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.norm(x)))))

class ResMLP(nn.Module):
    def __init__(self, d=96, depth=4):
        super().__init__()
        self.inp = nn.Linear(64, d)
        self.blocks = nn.Sequential(*[Block(d, 2 * d) for _ in range(depth)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)
    def forward(self, x):
        return self.head(self.norm(self.blocks(self.inp(x))))

model = ResMLP()
decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=2e-3, betas=(0.9, 0.98))
epochs, bs = 12, 64
steps_per_epoch = math.ceil(len(Xtr) / bs)
total = epochs * steps_per_epoch
warm = int(0.1 * total)
def lr_lambda(step):
    if step < warm:
        return (step + 1) / warm
    p = (step - warm) / max(1, total - warm)
    return 0.5 * (1 + math.cos(math.pi * p))
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        idx = perm[i:i + bs]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} test acc {acc:.3f} lr {sched.get_last_lr()[0]:.2e}")
print(f"final test acc {acc:.3f}")
