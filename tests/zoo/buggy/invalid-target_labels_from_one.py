"""Bug: invalid-target. The class labels of a CSV-like dataset are 1..3 (as written in the file),
the model has 3 outputs, and nn.CrossEntropyLoss gets target 3 >= num_classes: the run crashes
with 'Target 3 is out of bounds' (on GPU: a device-side assert)."""

import torch
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(122)
Xn, yn = load_iris(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn) + 1  # labels as they appear in the file: 1, 2, 3  (bug)

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
crit = nn.CrossEntropyLoss()
for epoch in range(20):
    perm = torch.randperm(150)
    for i in range(0, 150, 30):
        b = perm[i : i + 30]
        loss = crit(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"final loss {loss.item():.3f}")
