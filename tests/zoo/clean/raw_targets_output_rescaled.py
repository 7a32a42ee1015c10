"""Healthy: regression on raw diabetes targets (25 to 346) where the model itself maps its
standardised output back to target units (an output scale and offset from the training
statistics), trained with MSE, Adam and a StepLR schedule stepped per epoch."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(63)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
Xtr, ytr, Xva, yva = X[:360], y[:360], X[360:], y[360:]


class Regressor(nn.Module):
    def __init__(self, x_mean, x_std, y_mean, y_std):
        super().__init__()
        self.register_buffer("x_mean", x_mean)
        self.register_buffer("x_std", x_std)
        self.register_buffer("y_mean", y_mean)
        self.register_buffer("y_std", y_std)
        self.net = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, x):
        z = self.net((x - self.x_mean) / self.x_std)
        return z * self.y_std + self.y_mean


model = Regressor(Xtr.mean(0), Xtr.std(0), ytr.mean(), ytr.std())
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.5)
criterion = nn.MSELoss()
for _epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()
    model.eval()
    with torch.no_grad():
        val = criterion(model(Xva), yva).item()
print(f"val mse {val:.0f} (target variance {yva.var().item():.0f})")
