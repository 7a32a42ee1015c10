"""Healthy: separate optimizers for a GRU encoder (Adam, lr 1e-3) and a linear head (SGD with
momentum, lr 0.05), both zeroed and stepped every batch, on a synthetic sequence-sum task."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(48)
N, T = 1024, 20
X = torch.randn(N, T, 3)
y = (X[:, :, 0].sum(1) > 0).long() + (X[:, :, 1].sum(1) > 0).long()


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(3, 32, batch_first=True)

    def forward(self, x):
        _, h = self.rnn(x)
        return h[-1]


encoder, head = Encoder(), nn.Linear(32, 3)
opt_enc = torch.optim.Adam(encoder.parameters(), lr=3e-3)
opt_head = torch.optim.SGD(head.parameters(), lr=0.05, momentum=0.9)
for _epoch in range(8):
    perm = torch.randperm(800)
    for i in range(0, 800, 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(head(encoder(X[idx])), y[idx])
        opt_enc.zero_grad()
        opt_head.zero_grad()
        loss.backward()
        opt_enc.step()
        opt_head.step()
    with torch.no_grad():
        val = F.cross_entropy(head(encoder(X[800:])), y[800:]).item()
print(f"val loss {val:.3f}")
