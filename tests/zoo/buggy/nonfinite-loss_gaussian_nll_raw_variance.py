"""Bug: nonfinite-loss. A heteroscedastic regression computes its Gaussian negative log-likelihood
by hand with the variance taken straight from a linear layer (no softplus/exp): as soon as the
predicted variance goes negative, log(var) is NaN and so is the loss."""

import torch
from torch import nn

torch.manual_seed(39)
N = 2000
x = torch.rand(N, 1) * 4 - 2
y = torch.sin(2 * x) + (0.05 + 0.3 * x.abs()) * torch.randn(N, 1)


class HeteroNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, 64), nn.Tanh())
        self.mean = nn.Linear(64, 1)
        self.var = nn.Linear(64, 1)

    def forward(self, x):
        h = self.body(x)
        return self.mean(h), self.var(h)


model = HeteroNet()
with torch.no_grad():
    model.var.bias.fill_(1.0)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        mean, var = model(x[idx])
        loss = 0.5 * (torch.log(var) + (y[idx] - mean) ** 2 / var).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} nll {loss.item():.3f}")
