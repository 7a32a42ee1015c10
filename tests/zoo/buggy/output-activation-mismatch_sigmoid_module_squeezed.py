"""Bug: output-activation-mismatch. The classifier ends with an nn.Sigmoid module whose output is
squeezed to (N,) in forward, and the loop trains it with BCEWithLogitsLoss, which applies a
sigmoid again: the scores are squashed into (0.5, 0.73) and the loss cannot go below ~0.31."""

import torch
from sklearn.datasets import make_classification
from torch import nn

torch.manual_seed(0)
X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, class_sep=1.5, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, 64), nn.ReLU())
        self.out = nn.Linear(64, 1)
        self.act = nn.Sigmoid()

    def forward(self, x):
        return self.act(self.out(self.body(x))).squeeze(1)  # bug: a sigmoid before BCEWithLogitsLoss


model = Classifier()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
