"""Healthy: metric learning on digits with TripletMarginLoss (margin 1.0) and random triplets: as
the embedding improves, more and more triplets satisfy the margin and contribute exactly zero,
so the batch loss falls towards 0 with many zero-loss samples."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(93)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
by_class = [torch.nonzero(y == c).flatten() for c in range(10)]

net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 16))
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = nn.TripletMarginLoss(margin=1.0)
for step in range(300):
    anchor = torch.randint(0, len(X), (64,))
    pos = torch.stack([by_class[c][torch.randint(0, len(by_class[c]), (1,))][0] for c in y[anchor].tolist()])
    neg_cls = (y[anchor] + torch.randint(1, 10, (64,))) % 10
    neg = torch.stack([by_class[c][torch.randint(0, len(by_class[c]), (1,))][0] for c in neg_cls.tolist()])
    loss = loss_fn(net(X[anchor]), net(X[pos]), net(X[neg]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 99:
        print(f"step {step} triplet loss {loss.item():.3f}")
