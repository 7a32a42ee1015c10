"""Bug: CNN on 8x8 digits where optimizer.step() is called before loss.backward()
(zero_grad -> step -> backward): every step sees cleared gradients, nothing trains."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = ((X - X.mean()) / X.std()).view(-1, 1, 8, 8)
y = torch.tensor(y)
dl = DataLoader(TensorDataset(X[:1500], y[:1500]), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(5):
    for xb, yb in dl:
        opt.zero_grad()
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        opt.step()
        loss.backward()
    with torch.no_grad():
        acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
