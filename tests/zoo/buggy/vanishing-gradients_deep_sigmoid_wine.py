"""Bug: 10 hidden layers with sigmoid activations and plain SGD: gradients shrink by ~4x per layer,
the first layers barely move and the loss stays near ln 3 for a long time."""
import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(12)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)
layers = [nn.Linear(13, 32), nn.Sigmoid()]
for _ in range(9):
    layers += [nn.Linear(32, 32), nn.Sigmoid()]
model = nn.Sequential(*layers, nn.Linear(32, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(150):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        b = perm[i:i + 32]
        loss = F.cross_entropy(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 30 == 29:
        with torch.no_grad():
            acc = (model(X).argmax(1) == y).float().mean()
        print(f"epoch {epoch} loss {loss.item():.3f} acc {acc:.3f}")
