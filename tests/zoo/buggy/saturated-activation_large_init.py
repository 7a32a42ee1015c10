"""Bug: saturated-activation. A tanh MLP whose weights are initialised with std 1 instead of
~1/sqrt(fan_in): the pre-activations are ~10x too large, most tanh outputs sit at +-1 where the
gradient is ~0, and training crawls."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(2)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=1.0)  # bug: far too large for fan-in 13 and 64
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for _step in range(30):
    idx = torch.randint(0, len(X), (32,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
