"""Bug: constant-output. A port from TensorFlow 1 passed keep_prob=1.0 as PyTorch's dropout
probability: nn.Dropout(p=1.0) zeroes every feature in training, so the head sees only zeros and
the model outputs its bias, the same logit for every tumour."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(6)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

keep_prob = 1.0
model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Dropout(p=keep_prob), nn.Linear(32, 1))  # bug
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.BCEWithLogitsLoss()
for _step in range(60):
    idx = torch.randint(0, len(X), (64,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
