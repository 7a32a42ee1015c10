"""Bug: saturated-activation. Raw breast-cancer features (areas in the hundreds to thousands)
go unscaled into a sigmoid MLP written with torch.sigmoid in forward: the hidden sigmoids sit at
0 or 1 for almost every input, so their gradients vanish."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(3)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)  # bug: not standardised
y = torch.tensor(y, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(30, 32)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        return self.out(torch.sigmoid(self.hidden(x))).squeeze(1)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.BCEWithLogitsLoss()
for _step in range(30):
    idx = torch.randint(0, len(X), (64,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
