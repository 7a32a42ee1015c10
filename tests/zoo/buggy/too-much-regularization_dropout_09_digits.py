"""Bug: dropout p=0.9 after every hidden layer (meant keep-prob 0.9, i.e. p=0.1): 90% of units are
zeroed each step; the training loss stays high and the network underfits badly."""
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(15)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.9),
    nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.9),
    nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.9),
    nn.Linear(64, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(20):
    model.train()
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        b = perm[i:i + 64]
        loss = F.cross_entropy(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        tl = F.cross_entropy(model(X[:1500]), y[:1500]).item()
        acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean()
    print(f"epoch {epoch} train(batch) {loss.item():.3f} train(eval) {tl:.3f} val acc {acc:.3f}")
