"""Imbalanced binary (4% positives) trained with a hand-written focal loss.
Healthy (probe 7, a program nndoctor had not seen): no warning or error.
"""

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, f1_score, recall_score
from torch import nn

torch.manual_seed(0)
X, y = make_classification(
    n_samples=8000, n_features=16, n_informative=6, weights=[0.96, 0.04], class_sep=1.5, flip_y=0.005, random_state=3
)
X = (X - X[:6000].mean(0)) / X[:6000].std(0)
Xtr, ytr = torch.tensor(X[:6000], dtype=torch.float32), torch.tensor(y[:6000], dtype=torch.float32)
Xva, yva = torch.tensor(X[6000:], dtype=torch.float32), y[6000:]
print(f"positive rate {ytr.mean():.3f}")


def focal_loss(logits, targets, alpha=0.75, gamma=2.0):
    bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p = torch.sigmoid(logits)
    p_t = p * targets + (1 - p) * (1 - targets)
    a_t = alpha * targets + (1 - alpha) * (1 - targets)
    return (a_t * (1 - p_t) ** gamma * bce).mean()


model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
with torch.no_grad():
    model[-1].bias.fill_(-np.log((1 - 0.04) / 0.04))  # prior init from the focal-loss paper
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

ds = torch.utils.data.TensorDataset(Xtr, ytr)
dl = torch.utils.data.DataLoader(ds, batch_size=256, shuffle=True)
for epoch in range(30):
    model.train()
    for xb, yb in dl:
        loss = focal_loss(model(xb).squeeze(-1), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

model.eval()
with torch.no_grad():
    s = torch.sigmoid(model(Xva).squeeze(-1)).numpy()
best_f1 = max(f1_score(yva, s > t) for t in np.linspace(0.05, 0.95, 19))
print(
    f"FINAL val AP {average_precision_score(yva, s):.3f} (baseline {yva.mean():.3f}) "
    f"recall@0.5 {recall_score(yva, s > 0.5):.3f} bestF1 {best_f1:.3f}"
)
