"""Healthy: 8-bit pixels (0-255) fed to a CNN that scales and normalises them itself in
forward; a depthwise-separable convolution (depthwise then pointwise, linear in between by
design); functional ReLUs; bf16 autocast on CPU."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(13)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X * 255.0 / 16.0, dtype=torch.float32).round().reshape(-1, 1, 8, 8)
y = torch.tensor(y)


class SeparableNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1)
        self.depthwise = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pointwise = nn.Conv2d(16, 32, 1)
        self.bn = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = (x / 255.0 - 0.3) / 0.4
        x = F.relu(self.stem(x))
        x = F.relu(self.bn(self.pointwise(self.depthwise(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


model = SeparableNet()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _step in range(100):
    idx = torch.randint(0, len(X), (64,))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
