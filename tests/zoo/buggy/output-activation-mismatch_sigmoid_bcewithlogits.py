"""Bug: output-activation-mismatch. forward() ends with torch.sigmoid and the loop uses
BCEWithLogitsLoss, which applies a sigmoid again."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(6)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(x)))).squeeze(1)  # bug: sigmoid + WithLogits


model = Net()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _step in range(10):
    idx = torch.randint(0, len(X), (64,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
