"""Healthy: a siamese embedding net on digits trained with CosineEmbeddingLoss on same/different
pairs, embeddings L2-normalised; pair accuracy checked under no_grad with model.eval()."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(10)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

embed = nn.Sequential(nn.Linear(64, 64), nn.LeakyReLU(0.1), nn.Linear(64, 16))
optimizer = torch.optim.Adam(embed.parameters(), lr=2e-3)
loss_fn = nn.CosineEmbeddingLoss(margin=0.2)


def pairs(n):
    a = torch.randint(0, len(X), (n,))
    same = torch.rand(n) < 0.5
    b = torch.randint(0, len(X), (n,))
    for i in torch.nonzero(same).flatten().tolist():
        candidates = torch.nonzero(y == y[a[i]]).flatten()
        b[i] = candidates[torch.randint(0, len(candidates), (1,))]
    target = (y[a] == y[b]).float() * 2 - 1
    return a, b, target


for step in range(250):
    a, b, target = pairs(64)
    za, zb = F.normalize(embed(X[a]), dim=1), F.normalize(embed(X[b]), dim=1)
    loss = loss_fn(za, zb, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 49:
        embed.eval()
        with torch.no_grad():
            a, b, target = pairs(500)
            sim = F.cosine_similarity(embed(X[a]), embed(X[b]))
            acc = ((sim > 0.5).float() * 2 - 1 == target).float().mean().item()
        embed.train()
        print(f"step {step} loss {loss.item():.3f} pair acc {acc:.3f}")
