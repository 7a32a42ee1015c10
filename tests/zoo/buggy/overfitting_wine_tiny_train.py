"""Bug (of the setup): a wide two-layer network fitted to 30 wine samples (the rest held out) for
hundreds of full-batch epochs with no regularisation or early stopping: the training loss goes
to ~0 while the validation loss, after a minimum, climbs."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(82)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
X = X + 0.8 * torch.randn_like(X)  # noisy measurements
y = torch.tensor(yn)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:30], y[:30], X[30:], y[30:]

model = nn.Sequential(nn.Linear(13, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(300):
    model.train()
    loss = F.cross_entropy(model(Xtr), ytr)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        model.eval()
        with torch.no_grad():
            val = F.cross_entropy(model(Xva), yva).item()
print(f"train {loss.item():.4f} val {val:.3f}")
