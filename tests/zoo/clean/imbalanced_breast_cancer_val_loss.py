"""Breast cancer with malignant thinned to ~8%; per-epoch validation loss under torch.no_grad();
the model is good (unweighted BCE).
Healthy (probe 7, a program nndoctor had not seen): no warning or error.
"""

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
X, y = load_breast_cancer(return_X_y=True)
y = 1 - y  # 1 = malignant
pos = np.where(y == 1)[0]
neg = np.where(y == 0)[0]
pos = rng.choice(pos, 31, replace=False)
idx = np.r_[pos, neg]
X, y = X[idx], y[idx]
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
print(f"malignant rate train {ytr.mean():.3f} val {yva.mean():.3f} (n_val={len(yva)})")
f = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xva, ytr_t, yva_t = f(Xtr), f(Xva), f(ytr), f(yva)

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
crit = nn.BCEWithLogitsLoss()
history = []
for epoch in range(60):
    model.train()
    perm = torch.randperm(len(ytr_t))
    for i in range(0, len(perm), 32):
        b = perm[i : i + 32]
        opt.zero_grad()
        loss = crit(model(Xtr[b]).squeeze(1), ytr_t[b])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(Xva).squeeze(1)
        vloss = crit(logits, yva_t).item()
    history.append(vloss)
    if epoch % 10 == 9:
        p = torch.sigmoid(logits).numpy()
        print(
            f"epoch {epoch + 1} val loss {vloss:.4f} recall {recall_score(yva, p > 0.5):.3f} auc {roc_auc_score(yva, p):.3f}"
        )
p = torch.sigmoid(logits).numpy()
print(
    f"FINAL val loss {vloss:.4f} recall {recall_score(yva, p > 0.5):.3f} auc {roc_auc_score(yva, p):.3f} "
    f"acc {((p > 0.5) == yva).mean():.3f} (majority acc {1 - yva.mean():.3f})"
)
