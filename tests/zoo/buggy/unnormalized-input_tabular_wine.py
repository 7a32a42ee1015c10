"""Bug: unnormalized-input. Raw wine features fed to a small network: proline is in the
hundreds to thousands while most other features are below 10, so it swamps everything else."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(4)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)  # bug: features on wildly different scales
y = torch.tensor(y)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(13, 32), nn.ReLU())
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        return self.head(self.body(x))


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for _step in range(12):
    idx = torch.randint(0, len(X), (32,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
