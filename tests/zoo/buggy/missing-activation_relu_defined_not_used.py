"""Bug: missing-activation. The module defines self.relu = nn.ReLU() in __init__ but forward()
never calls it: fc1 -> fc2 -> fc3 is one linear map, and the breast-cancer classifier is just a
logistic regression with extra parameters."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(62)
Xn, yn = load_breast_cancer(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.fc1(x)
        x = self.fc2(x)
        return self.fc3(x).squeeze(1)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _ in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
