"""Healthy: a 1-D conv net classifying synthetic signals (sine, square, sawtooth, noise) with
BatchNorm1d, max pooling, global average pooling and AdamW; validated each epoch."""

import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(3)
N, T = 1200, 64
t = torch.linspace(0, 1, T)
kind = torch.randint(0, 4, (N,))
freq = torch.rand(N, 1) * 4 + 2
phase = torch.rand(N, 1) * 2 * math.pi
arg = 2 * math.pi * freq * t + phase
sine = torch.sin(arg)
square = torch.sign(sine)
saw = 2 * ((arg / (2 * math.pi)) % 1.0) - 1
noise = torch.randn(N, T) * 0.7
signals = torch.stack([sine, square, saw, noise], 1)[torch.arange(N), kind]
X = (signals + 0.3 * torch.randn(N, T)).unsqueeze(1)
y = kind
Xtr, ytr, Xva, yva = X[:1000], y[:1000], X[1000:], y[1000:]

model = nn.Sequential(
    nn.Conv1d(1, 16, 5, padding=2),
    nn.BatchNorm1d(16),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2),
    nn.BatchNorm1d(32),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(32, 32, 3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool1d(1),
    nn.Flatten(),
    nn.Linear(32, 4),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
for epoch in range(5):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        idx = perm[i : i + 50]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} val acc {acc:.3f}")
