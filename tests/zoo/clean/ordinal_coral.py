"""Healthy: ordinal regression (CORAL-style cumulative logits): a shared linear score minus K-1
ordered learned thresholds, each trained with BCEWithLogitsLoss on "y > k" targets."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
N, D, K = 2000, 10, 5
X = torch.randn(N, D)
w_true = torch.randn(D)
latent = X @ w_true / D**0.5 + 0.3 * torch.randn(N)
cuts = torch.quantile(latent, torch.tensor([0.2, 0.4, 0.6, 0.8]))
y = torch.bucketize(latent, cuts)  # 0..4
Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]


class Coral(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(D, 32), nn.ReLU(), nn.Linear(32, 1, bias=False))
        self.bias = nn.Parameter(torch.linspace(1, -1, K - 1))

    def forward(self, x):
        return self.body(x) + self.bias  # (N, K-1) cumulative logits


def levels(y):
    return (y.unsqueeze(1) > torch.arange(K - 1)).float()


model = Coral()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(25):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]), levels(ytr[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = (torch.sigmoid(model(Xva)) > 0.5).sum(1)
        mae = (pred - yva).abs().float().mean().item()
        acc = (pred == yva).float().mean().item()
    model.train()
print(f"final train loss {loss.item():.3f}  val MAE {mae:.3f}  val acc {acc:.3f}")
