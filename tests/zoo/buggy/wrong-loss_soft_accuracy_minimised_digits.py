"""Bug: a soft-accuracy objective (the probability of the correct class) minimised instead of
maximised: the loss falls while the model learns to give the true class no probability."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X) - 63, 64):
        idx = perm[i : i + 64]
        probs = model(X[idx]).softmax(dim=1)
        loss = probs.gather(1, y[idx].unsqueeze(1)).mean()  # BUG: should be 1 - this, or -log of it
        opt.zero_grad()
        loss.backward()
        opt.step()
    acc = (model(X).argmax(1) == y).float().mean()
    print(f"epoch {epoch} soft-acc loss {loss.item():.4f} accuracy {acc:.3f}")
