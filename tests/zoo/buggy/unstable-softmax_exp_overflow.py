"""Bug: unstable-softmax. A hand-written softmax, exp(x) / exp(x).sum(), on a linear model fed
0-255 pixel values: the logits pass 88 at the first step, exp() overflows to inf and the loss is NaN."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X * 255.0 / 16.0, dtype=torch.float32)
y = torch.tensor(y)


def softmax(logits):
    e = torch.exp(logits)  # bug: no max subtraction
    return e / e.sum(dim=1, keepdim=True)


model = nn.Linear(64, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for _step in range(10):
    idx = torch.randint(0, len(X), (64,))
    probs = softmax(model(X[idx]))
    loss = -torch.log(probs[torch.arange(len(idx)), y[idx]]).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
