"""Healthy: a model that returns a dict (logits plus an auxiliary reconstruction), the loss being a
weighted sum of cross-entropy and an auxiliary MSE, the way many research codebases are written."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(72)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(13, 32), nn.GELU(), nn.Linear(32, 8), nn.GELU())
        self.classifier = nn.Linear(8, 3)
        self.decoder = nn.Linear(8, 13)

    def forward(self, x):
        z = self.encoder(x)
        return {"logits": self.classifier(z), "recon": self.decoder(z)}


model = Net()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
for _ in range(40):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        out = model(X[idx])
        loss = F.cross_entropy(out["logits"], y[idx]) + 0.5 * F.mse_loss(out["recon"], X[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
