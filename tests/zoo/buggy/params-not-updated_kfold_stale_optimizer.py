"""Bug: params-not-updated. K-fold cross-validation: the model is re-created at the start of every
fold but the optimizer was built once, before the loop, over the first fold's model; from the
second fold on, the new model gets gradients that no optimizer applies."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(38)
Xn, yn = load_iris(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
folds = torch.randperm(len(X)).chunk(3)


def make_model():
    return nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))


model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for k, val_idx in enumerate(folds):
    model = make_model()
    train_idx = torch.cat([f for j, f in enumerate(folds) if j != k])
    for _ in range(30):
        perm = train_idx[torch.randperm(len(train_idx))]
        for i in range(0, len(perm), 20):
            idx = perm[i : i + 20]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        acc = (model(X[val_idx]).argmax(1) == y[val_idx]).float().mean().item()
    print(f"fold {k} val acc {acc:.2f}")
