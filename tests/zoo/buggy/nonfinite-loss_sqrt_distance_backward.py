"""Bug: a prototype classifier scores classes by Euclidean distance, sqrt(sum((x - p)^2)), with the
prototypes initialised from training examples: for those examples the distance is exactly 0, the
gradient of sqrt at 0 is infinite, and the backward pass turns NaN while the loss stays finite."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(0)
X, y = load_iris(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)


class PrototypeLayer(nn.Module):
    def __init__(self, init):
        super().__init__()
        self.prototypes = nn.Parameter(init.clone())

    def forward(self, x):
        diff = x[:, None, :] - self.prototypes[None, :, :]
        return torch.sqrt((diff**2).sum(-1))  # BUG: infinite gradient where the distance is 0


class ProtoNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.distance = PrototypeLayer(torch.stack([X[y == c][0] for c in range(3)]))  # a real example per class

    def forward(self, x):
        return -self.distance(x)


model = ProtoNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _epoch in range(3):
    for i in range(0, len(X), 50):
        loss = F.cross_entropy(model(X[i : i + 50]), y[i : i + 50])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
