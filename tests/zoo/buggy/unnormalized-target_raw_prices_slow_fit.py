"""House-price style regression: standardised features, prices around 40000 +- 28000 fed raw to
an MLP with an MSE loss. Adam at 1e-3 does fit them in the end (R^2 ~0.87 after 20 epochs), but
slowly: the output layer grows to the targets' scale a learning-rate-sized step at a time, and
the loss is still at ~20% of the constant predictor's and falling when training stops.
Standardised targets reach R^2 ~0.99 in the same steps. (Found in a probe.)"""

import torch
import torch.nn as nn

torch.manual_seed(0)
N = 3000
X = torch.randn(N, 8)
w = torch.tensor([3.0, -2.0, 1.5, 0.0, 1.0, 0.5, -1.0, 2.0])
price = 40000 + 6000 * (X @ w) + 4000 * torch.sin(2 * X[:, 0]) * X[:, 1] + 1000 * torch.randn(N)
y = price.unsqueeze(1)  # BUG: raw targets
Xtr, Xva, ytr, yva = X[:2400], X[2400:], y[:2400], y[2400:]
model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
for epoch in range(20):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva)
    r2 = 1 - ((pred - yva) ** 2).mean().item() / yva.var().item()
print(f"validation R^2 {r2:.3f}")
