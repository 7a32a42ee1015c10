"""Healthy: full-batch logistic regression with a small L2 penalty, optimised with LBFGS and a
closure (several function evaluations per step, strong-Wolfe line search)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(14)
Xn, yn = load_breast_cancer(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn, dtype=torch.float32)

model = nn.Linear(30, 1)
optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = F.binary_cross_entropy_with_logits(model(X).squeeze(1), y) + 1e-3 * model.weight.pow(2).sum()
    loss.backward()
    return loss


for step in range(10):
    loss = optimizer.step(closure)
    print(f"step {step} loss {loss.item():.4f}")
