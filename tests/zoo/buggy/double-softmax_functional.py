"""Bug: double-softmax. forward() returns F.softmax(logits) and the training loop calls
F.cross_entropy on it; no nn.Softmax module anywhere."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(2)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)


class WineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(13, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return F.softmax(self.out(torch.tanh(self.hidden(x))), dim=-1)  # bug: probabilities


model = WineNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _step in range(10):
    idx = torch.randint(0, len(X), (32,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
