"""Bug (of the setup): a wide MLP trained for many epochs on 300 digit images, 30% of them with
wrong labels, without any regularisation: it memorises the noise, so training loss falls while
validation loss turns around and climbs."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(20)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:300], y[:300].clone(), X[1000:1400], y[1000:1400]
noisy = torch.rand(len(ytr)) < 0.3
ytr[noisy] = torch.randint(0, 10, (int(noisy.sum()),))

model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(30):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = F.cross_entropy(model(Xva), yva).item()
print(f"train {loss.item():.4f} val {val:.3f}")
