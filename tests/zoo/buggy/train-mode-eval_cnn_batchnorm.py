"""Bug: evaluation without model.eval(): batch norm normalises validation batches with their own
statistics and overwrites its running averages with validation data."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(5)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


net = ConvNet()
optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = loss_fn(net(Xtr[idx]), ytr[idx])
        loss.backward()
        optimizer.step()
    correct = 0
    with torch.no_grad():
        for j in range(0, len(Xva), 32):
            correct += (net(Xva[j : j + 32]).argmax(1) == yva[j : j + 32]).sum().item()
    print(f"epoch {epoch} val acc {correct / len(Xva):.3f}")
