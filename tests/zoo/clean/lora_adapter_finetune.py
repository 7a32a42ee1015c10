"""Healthy: LoRA fine-tuning: a frozen pre-trained MLP gets low-rank adapters (x -> A -> B, rank
4, no nonlinearity between A and B by design, B initialised to zero) trained on a shifted task."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(52)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)


class LoRALinear(nn.Module):
    def __init__(self, base, rank=4, alpha=8.0):
        super().__init__()
        self.base = base.requires_grad_(False)
        self.lora_a = nn.Linear(base.in_features, rank, bias=False)
        self.lora_b = nn.Linear(rank, base.out_features, bias=False)
        nn.init.zeros_(self.lora_b.weight)
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + self.scale * self.lora_b(self.lora_a(x))


base = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.Adam(base.parameters(), lr=1e-3)
for _ in range(3):
    for i in range(0, 1000, 64):
        loss = F.cross_entropy(base(X[i : i + 64]), y[i : i + 64])
        opt.zero_grad()
        loss.backward()
        opt.step()

model = nn.Sequential(LoRALinear(base[0]), nn.ReLU(), LoRALinear(base[2]))
shifted = (y + 1) % 10  # the new task: predict the next digit
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), shifted[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
