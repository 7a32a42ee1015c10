"""Bug: unstable-softmax. log(softmax(x)) computed in two steps on an MLP over raw wine
features: the logits differ by hundreds, small probabilities underflow to exactly 0, and
log(0) = -inf makes the loss infinite."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(9)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)


class WineNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


model = WineNet()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for _step in range(10):
    idx = torch.randint(0, len(X), (32,))
    log_probs = torch.log(F.softmax(model(X[idx]) * 10, dim=1))  # bug: log of softmax, sharpened by 10
    loss = F.nll_loss(log_probs, y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
