"""Healthy metric learning: a triplet margin loss on an L2-normalised digit embedding, judged by
nearest-centroid accuracy. Once the embedding is good most random triplets already satisfy the
margin, so many batches have a loss, and a gradient, of exactly 0: the gradient norm's median
over the run is 0 and any later non-zero gradient is no spike (probe 8: a false
exploding-gradients warning, "inf x its usual level")."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X = (X - X[:1400].mean(0)) / X[:1400].std(0).clamp_min(1e-3)
Xtr, ytr, Xva, yva = X[:1400], y[:1400], X[1400:], y[1400:]
order = torch.argsort(ytr)  # rows of each class side by side, to draw same-class examples fast
counts = torch.bincount(ytr, minlength=10)
starts = torch.cumsum(counts, 0) - counts


def of_class(c):
    return order[starts[c] + (torch.rand(len(c)) * counts[c]).long()]


def triplets(n):
    a = torch.randint(0, len(Xtr), (n,))
    other = (ytr[a] + torch.randint(1, 10, (n,))) % 10
    return Xtr[a], Xtr[of_class(ytr[a])], Xtr[of_class(other)]


model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 16))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.TripletMarginLoss(margin=0.5)


def embed(x):
    return F.normalize(model(x), dim=-1)


for step in range(1500):
    anchor, positive, negative = embed(torch.cat(triplets(64))).chunk(3)  # one forward for the three
    loss = loss_fn(anchor, positive, negative)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    train, val = embed(Xtr), embed(Xva)
    centroids = F.normalize(torch.stack([train[ytr == c].mean(0) for c in range(10)]), dim=-1)
    accuracy = ((val @ centroids.T).argmax(1) == yva).float().mean().item()
print(f"triplet loss {loss.item():.4f}, nearest-centroid accuracy {accuracy:.3f}")
