"""Healthy: an LSTM classifying noisy sine vs square sequences, with gradient clipping."""

import math

import torch
from torch import nn

torch.manual_seed(2)
T, N = 30, 1024
t = torch.linspace(0, 4 * math.pi, T)
freq = torch.rand(N, 1) * 1.5 + 0.5
kind = torch.randint(0, 2, (N,))
wave = torch.sin(freq * t)
wave = torch.where(kind[:, None] == 1, torch.sign(wave), wave)
X = (wave + 0.3 * torch.randn(N, T)).unsqueeze(-1)
y = kind


class SeqClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.out(h[:, -1])


model = SeqClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
print(f"final loss {loss.item():.3f}")
