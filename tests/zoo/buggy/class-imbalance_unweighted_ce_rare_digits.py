"""Bug: class-imbalance. Noisy digit images where five of the ten digits are rare (1 in 12 of the
others), an unweighted CrossEntropyLoss: the model learns to avoid answering the rare digits, and
the validation pass (a loss under no_grad) shows it."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
y = torch.tensor(y)
g = torch.Generator().manual_seed(0)
keep = (y < 5) | (torch.rand(len(y), generator=g) < 1 / 12)
X, y = X[keep], y[keep]
X = X + 1.2 * torch.randn(X.shape, generator=g)  # a noisy sensor
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
perm = torch.randperm(len(X), generator=g)
X, y = X[perm], y[perm]
n = int(0.8 * len(X))
Xtr, ytr, Xva, yva = X[:n], y[:n], X[n:], y[n:]

model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
loss_fn = nn.CrossEntropyLoss()  # bug: unweighted, with five rare classes
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    model.train()
    for i in range(0, n, 32):
        loss = loss_fn(model(Xtr[i : i + 32]), ytr[i : i + 32])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        val_loss = loss_fn(logits, yva)
    pred, rare = logits.argmax(1), yva >= 5
    print(f"epoch {epoch} val loss {val_loss.item():.3f} accuracy {(pred == yva).float().mean():.2f} "
          f"rare-class recall {(pred[rare] == yva[rare]).float().mean():.2f}")
