"""Bug: unnormalized-input. Images as raw 0-255 pixel values into a CNN (the digits scaled to
0-255 like 8-bit images): the ToTensor()/255 step was forgotten."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(5)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X * 255.0 / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)  # bug: 0-255 pixels
y = torch.tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
for _step in range(12):
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
