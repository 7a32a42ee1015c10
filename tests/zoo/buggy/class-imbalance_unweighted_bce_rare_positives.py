"""Bug: class-imbalance. A rare-event classifier (6 % positives, a weak signal) trained with an
unweighted BCEWithLogitsLoss: the loss is lowest when the model says "negative" whenever in doubt;
it answers "positive" for almost none of the training batches' positives and finds about a third
of validation's (the probe that asked for this rule: 95/5 classes, minority recall 0.19)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch import nn

torch.manual_seed(0)
X, y = make_classification(
    n_samples=4000, n_features=20, n_informative=6, weights=[0.95], flip_y=0.02, class_sep=1.2, random_state=3
)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(8):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        loss = F.binary_cross_entropy_with_logits(model(Xtr[idx]).squeeze(1), ytr[idx])  # bug: no pos_weight
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva).squeeze(1) > 0
    recall = (pred & (yva > 0)).sum().item() / max(1, int((yva > 0).sum()))
    print(f"epoch {epoch} loss {loss.item():.3f} val recall of the rare class {recall:.2f}")
