"""Bug: an attention layer with a softmax written by hand, exp(scores) / exp(scores).sum(), and no
1/sqrt(d) scaling: on raw pixel rows the scores pass 88, exp() overflows to inf and inf/inf = NaN."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 8, 8)  # 8 rows of 8 pixels, values 0..16
y = torch.tensor(y)


class SelfAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)

    def forward(self, x):
        scores = self.q(x) @ self.k(x).transpose(1, 2)  # BUG: no / sqrt(d)
        weights = torch.exp(scores)  # BUG: softmax by hand, no max subtraction
        weights = weights / weights.sum(dim=-1, keepdim=True)
        return weights @ self.v(x)


class RowClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = SelfAttention(8)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.attn(x).flatten(1))


model = RowClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _step in range(30):
    idx = torch.randint(0, len(X), (32,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
