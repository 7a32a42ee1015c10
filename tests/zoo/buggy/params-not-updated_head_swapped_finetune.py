"""Bug: pretrain on digits 0-4, then fine-tune the whole model on digits 5-9 with a new head that is
assigned after the fine-tuning optimizer was built. The backbone adapts to the random head and the
accuracy looks fine, but the head never trains (the optimizer updates the old one, which gets no
gradients). (Found in probe 8: reported as a graph cut after the head before.)"""

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
X = (X - X.mean(0)) / X.std(0).clamp_min(1e-3)
first, second = y < 5, y >= 5


class Net(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(64, 96), nn.Tanh(), nn.Linear(96, 48), nn.Tanh())
        self.classifier = nn.Linear(48, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


net = Net(5)
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for _epoch in range(4):
    for xb, yb in DataLoader(TensorDataset(X[first], y[first]), batch_size=64, shuffle=True):
        loss = criterion(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

opt = torch.optim.Adam(net.parameters(), lr=5e-4)
net.classifier = nn.Linear(48, 5)  # BUG: replaced after the optimizer was built
for _epoch in range(10):
    for xb, yb in DataLoader(TensorDataset(X[second], y[second] - 5), batch_size=32, shuffle=True):
        loss = criterion(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
net.eval()
with torch.no_grad():
    accuracy = (net(X[second]).argmax(1) == y[second] - 5).float().mean().item()
print(f"fine-tuned: loss {loss.item():.3f}, accuracy {accuracy:.3f}")
