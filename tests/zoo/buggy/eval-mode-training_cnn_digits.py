"""Bug: model.eval() for validation after epoch 1, model.train() never called again (it sits
before the epoch loop), so batch norm and dropout stay in eval mode for the rest of training."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(1)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
X = (X - 0.3) / 0.4
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.3), nn.Linear(16 * 4 * 4, 10),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
model.train()
for epoch in range(3):
    for i in range(0, len(Xtr), 50):
        optimizer.zero_grad()
        loss = criterion(model(Xtr[i : i + 50]), ytr[i : i + 50])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} val acc {acc:.3f}")
