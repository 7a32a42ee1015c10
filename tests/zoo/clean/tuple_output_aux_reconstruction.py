"""Healthy: a model whose forward returns a tuple (logits, reconstruction); the loss is the
classification loss plus 0.3 x an auxiliary reconstruction MSE, on breast-cancer features."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(43)


class AuxNet(nn.Module):
    def __init__(self, d_in=30, d_hid=32):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, 64), nn.GELU(), nn.Linear(64, d_hid), nn.GELU())
        self.classifier = nn.Linear(d_hid, 1)
        self.decoder = nn.Linear(d_hid, d_in)

    def forward(self, x):
        z = self.encoder(x)
        return self.classifier(z).squeeze(-1), self.decoder(z)


X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:450], y[:450], X[450:], y[450:]

model = AuxNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
for _epoch in range(25):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        logits, recon = model(Xtr[idx])
        loss = F.binary_cross_entropy_with_logits(logits, ytr[idx]) + 0.3 * F.mse_loss(recon, Xtr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits, _ = model(Xva)
        val = F.binary_cross_entropy_with_logits(logits, yva).item()
print(f"val bce {val:.3f}")
