"""Imbalanced fraud-like binary task (~5% positives), balanced with a WeightedRandomSampler,
plain unweighted BCEWithLogitsLoss.
Healthy (probe 7, a program nndoctor had not seen): no warning or error.
"""

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

torch.manual_seed(0)
np.random.seed(0)
X, y = make_classification(
    n_samples=6000,
    n_features=20,
    n_informative=8,
    n_redundant=4,
    weights=[0.95, 0.05],
    class_sep=1.2,
    flip_y=0.0,
    random_state=0,
)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
print(f"positives: train {ytr.mean():.3f}, val {yva.mean():.3f}")

Xtr_t = torch.tensor(Xtr, dtype=torch.float32)
ytr_t = torch.tensor(ytr, dtype=torch.float32)
Xva_t = torch.tensor(Xva, dtype=torch.float32)
class_counts = np.bincount(ytr)
sample_w = 1.0 / class_counts[ytr]
sampler = WeightedRandomSampler(torch.tensor(sample_w, dtype=torch.double), num_samples=len(ytr), replacement=True)
loader = DataLoader(TensorDataset(Xtr_t, ytr_t), batch_size=128, sampler=sampler)

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(25):
    model.train()
    tot = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    if epoch % 5 == 4:
        model.eval()
        with torch.no_grad():
            p = torch.sigmoid(model(Xva_t).squeeze(1)).numpy()
        print(f"epoch {epoch + 1} train loss {tot / len(ytr):.4f} val auc {roc_auc_score(yva, p):.4f}")

model.eval()
with torch.no_grad():
    p = torch.sigmoid(model(Xva_t).squeeze(1)).numpy()
pred = (p > 0.5).astype(int)
print(
    f"FINAL val AUC {roc_auc_score(yva, p):.4f} recall {recall_score(yva, pred):.3f} "
    f"precision {precision_score(yva, pred):.3f} (baseline AUC 0.5, recall of majority-vote 0.0)"
)
