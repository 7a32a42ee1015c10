"""Hand-written softmax regression on digits whose weight matrix is not a leaf tensor.

``torch.randn(..., requires_grad=True) * 0.01`` is the result of a multiplication: autograd
never fills its ``.grad``, so the update skips it and only the bias learns. (A classic from
the forums: "my weights have grad None".)
"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)

W = torch.randn(64, 10, requires_grad=True) * 0.01  # bug: not a leaf
b = torch.zeros(10, requires_grad=True)
lr = 0.5
for epoch in range(3):
    for i in range(0, len(X) - 63, 64):
        xb, yb = X[i : i + 64], y[i : i + 64]
        loss = F.cross_entropy(xb @ W + b, yb)
        loss.backward()
        with torch.no_grad():
            for p in (W, b):
                if p.grad is not None:
                    p -= lr * p.grad
                    p.grad = None
    print(f"epoch {epoch} loss {loss.item():.3f}")
