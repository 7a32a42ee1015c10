"""Bug: discarded-gradients. ``optimizer.step()`` sits one indentation level too far left, after
the batch loop: each epoch clears and recomputes the gradients 22 times and steps once, from
the last batch. (A classic report: "my model trains much slower than the tutorial's".)"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(0)
X, y = load_wine(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / X.std(0), dtype=torch.float32)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(12):
    for i in range(0, len(X), 8):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[i : i + 8]), y[i : i + 8])
        loss.backward()
    optimizer.step()  # bug: outside the batch loop
    print(f"epoch {epoch} loss {loss.item():.3f}")
