"""Bug (of the setup): a large MLP fitted to 60 diabetes patients for hundreds of epochs: the
training MSE keeps falling, the validation MSE bottoms out early and then rises."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(21)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()
Xtr, ytr, Xva, yva = X[:60], y[:60], X[300:], y[300:]

model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
criterion = nn.MSELoss()
for epoch in range(60):
    model.train()
    for i in range(0, len(Xtr), 20):
        optimizer.zero_grad()
        loss = criterion(model(Xtr[i : i + 20]), ytr[i : i + 20])
        loss.backward()
        optimizer.step()
    if epoch % 2 == 1:
        model.eval()
        with torch.no_grad():
            val = criterion(model(Xva), yva).item()
        print(f"epoch {epoch} train {loss.item():.3f} val {val:.3f}")
