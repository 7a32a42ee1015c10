"""Clean: price-like regression. Target is lognormal (1e4..1e6), trained on log(y)
(not standardised, mean ~12), L1Loss, Adam, features standardised."""
import torch
from torch import nn

torch.manual_seed(3)
N = 4000
X = torch.randn(N, 8)
w = torch.tensor([0.5, -0.3, 0.2, 0.0, 0.4, 0.1, -0.2, 0.3])
price = torch.exp(12.0 + X @ w + 0.3 * torch.tanh(X[:, 0] * X[:, 1]) + 0.1 * torch.randn(N))
Xtr, Xva = X[:3200], X[3200:]
ttr, tva = torch.log(price[:3200]), torch.log(price[3200:])

model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.L1Loss()
for epoch in range(25):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        pred = model(Xtr[b]).squeeze(-1)
        loss = loss_fn(pred, ttr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pv = model(Xva).squeeze(-1)
        mae_log = loss_fn(pv, tva).item()
        mape = ((torch.exp(pv) - torch.exp(tva)).abs() / torch.exp(tva)).mean().item()
    if epoch % 5 == 0 or epoch == 24:
        print(f"epoch {epoch} train L1(log) {loss.item():.3f} val L1(log) {mae_log:.3f} val MAPE {mape:.3f}")
