"""Clean: nn.MultiheadAttention and a TransformerEncoderLayer left at batch_first=False and fed
(sequence, batch, features), as they expect: a sequence regression (the mean of a signal's
first channel), AdamW with a cosine schedule."""

import torch
from torch import nn

torch.manual_seed(0)
N, T, D = 1024, 16, 8
X = torch.randn(N, T, D)
y = X[:, :, 0].mean(1, keepdim=True) * 3


class Model(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.inp = nn.Linear(D, d)
        self.attn = nn.MultiheadAttention(d, 4)
        self.layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.0)
        self.out = nn.Linear(d, 1)

    def forward(self, x):  # x: (B, T, D)
        h = self.inp(x).transpose(0, 1)  # (T, B, d): sequence first
        a, _ = self.attn(h, h, h)
        h = self.layer(h + a)
        return self.out(h.mean(0))


model = Model()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=160)
for epoch in range(10):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = nn.functional.mse_loss(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
print(f"final loss {loss.item():.4f}")
