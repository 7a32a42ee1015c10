"""Healthy twin of params-not-updated_model_recreated_after_sanity_check: the initial loss is checked on
a first model, and the optimizer is built from the model created again for the run."""

import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
perm = torch.randperm(len(y))
Xtr, ytr, Xva, yva = X[perm[:130]], y[perm[:130]], X[perm[130:]], y[perm[130:]]


def make_model():
    return nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))


model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
with torch.no_grad():
    print(f"initial loss {loss_fn(model(Xtr), ytr).item():.3f} (ln 3 = 1.099)")

model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(25):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 16):
        idx = order[i : i + 16]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
print(f"train loss {loss.item():.3f} val acc {acc:.3f}")
