"""Bug: a digits classifier minimises the mean log-probability of the right class (log_softmax +
gather, without the minus sign of the NLL): the right class is pushed down, the objective falls
without bound and goes to -inf."""
import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(6)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        logp = torch.log_softmax(model(X[idx]), dim=1)
        loglik = logp.gather(1, y[idx, None]).mean()
        opt.zero_grad()
        loglik.backward()  # bug: the negative log-likelihood is -loglik
        opt.step()
    print(f"epoch {epoch} objective {loglik.item():.3f}")
