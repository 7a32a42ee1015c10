"""A small training script with classic silent bugs, used by ``nndoctor demo``.

It trains an MLP on scikit-learn's bundled digits (no download). Bugs:
raw 0-16 pixel values fed unscaled, a softmax before CrossEntropyLoss, and an
optimizer.zero_grad() that was forgotten.
"""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)  # bug: not scaled to ~unit range
y = torch.tensor(y)

model = nn.Sequential(
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
    nn.Softmax(dim=1),  # bug: CrossEntropyLoss applies log-softmax itself
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(3):
    perm = torch.randperm(len(X))
    total = 0.0
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()  # bug: no optimizer.zero_grad(), gradients pile up
        optimizer.step()
        total += loss.item()
    print(f"epoch {epoch}: mean loss {total / (len(X) // 64 + 1):.3f}")
