"""Healthy: two stages on breast-cancer features. An encoder is pre-trained as an autoencoder
(MSE, Adam 1e-3); then a classifier head is trained on top of it with BCEWithLogits while the
encoder is fine-tuned at a 10x lower rate through a second parameter group."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(66)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)
Xtr, ytr, Xva, yva = X[:450], y[:450], X[450:], y[450:]

encoder = nn.Sequential(nn.Linear(30, 32), nn.ELU(), nn.Linear(32, 8))
decoder = nn.Sequential(nn.Linear(8, 32), nn.ELU(), nn.Linear(32, 30))
ae_opt = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
for _epoch in range(15):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        xb = Xtr[perm[i : i + 32]]
        loss = F.mse_loss(decoder(encoder(xb)), xb)
        ae_opt.zero_grad()
        loss.backward()
        ae_opt.step()

head = nn.Linear(8, 1)
clf_opt = torch.optim.Adam([{"params": encoder.parameters(), "lr": 1e-4}, {"params": head.parameters(), "lr": 1e-3}])
for _epoch in range(15):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = F.binary_cross_entropy_with_logits(head(encoder(Xtr[idx])).squeeze(1), ytr[idx])
        clf_opt.zero_grad()
        loss.backward()
        clf_opt.step()
    with torch.no_grad():
        val = F.binary_cross_entropy_with_logits(head(encoder(Xva)).squeeze(1), yva).item()
print(f"val bce {val:.3f}")
