"""Bug: params-without-grad. The encoder's forward is wrapped in torch.no_grad() (copied from an
inference snippet "to save memory"), so only the classifier head learns; the encoder, which is
in the optimizer and meant to be trained, never receives a gradient."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(37)
Xn, yn = load_breast_cancer(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn, dtype=torch.float32)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 16), nn.ReLU())
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        with torch.no_grad():
            z = self.encoder(x)
        return self.head(z).squeeze(1)


model = Model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _ in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.binary_cross_entropy_with_logits(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
