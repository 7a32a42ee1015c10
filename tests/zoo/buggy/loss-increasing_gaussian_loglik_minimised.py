"""Bug: a heteroscedastic regression minimises the Gaussian log-likelihood itself (the minus sign of
the NLL is missing): the predicted means run away from the targets, the objective falls to -1e20
and the Normal() constructor finally raises on NaN means."""
import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(5)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32); X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32); y = (y - y.mean()) / y.std()
model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        mu, log_sigma = model(X[idx]).unbind(1)
        loglik = torch.distributions.Normal(mu, log_sigma.exp()).log_prob(y[idx]).mean()
        opt.zero_grad()
        loglik.backward()  # bug: should be (-loglik).backward()
        opt.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch} objective {loglik.item():.3f}")
