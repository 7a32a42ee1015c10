"""Bug: train-mode-eval. The forward uses ``F.dropout(h, 0.5)`` without ``training=self.training``:
``model.eval()`` does not switch it off, so every validation pass is noisy and pessimistic.
(A classic from the PyTorch forums: "my validation accuracy changes every time I evaluate".)"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
X_train, y_train, X_val, y_val = X[:1400], y[:1400], X[1400:], y[1400:]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        h = F.dropout(h, 0.5)  # bug: always on
        return self.fc2(h)


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    model.train()
    for i in range(0, len(X_train), 64):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X_train[i : i + 64]), y_train[i : i + 64])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch} val accuracy {accuracy:.3f}")
