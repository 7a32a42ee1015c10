"""Clean: imbalanced binary task (breast_cancer subsampled to ~8% malignant), 2-logit head,
CrossEntropyLoss(weight=inverse class frequency), standardised features, Adam; reports recall."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

torch.manual_seed(6)
rng = np.random.default_rng(6)
X, y = load_breast_cancer(return_X_y=True)
y = 1 - y  # 1 = malignant
pos = np.where(y == 1)[0]
neg = np.where(y == 0)[0]
keep = np.concatenate([neg, rng.choice(pos, 30, replace=False)])
rng.shuffle(keep)
X, y = X[keep], y[keep]
ntr = int(0.75 * len(X))
sc = StandardScaler().fit(X[:ntr])
Xtr = torch.tensor(sc.transform(X[:ntr]), dtype=torch.float32)
Xva = torch.tensor(sc.transform(X[ntr:]), dtype=torch.float32)
ytr, yva = torch.tensor(y[:ntr]), torch.tensor(y[ntr:])
counts = torch.bincount(ytr, minlength=2).float()
weights = counts.sum() / (2 * counts)
print("class counts", counts.tolist(), "weights", weights.tolist())

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
crit = nn.CrossEntropyLoss(weight=weights)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
for epoch in range(60):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 32):
        b = perm[i:i + 32]
        loss = crit(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 0 or epoch == 59:
        model.eval()
        with torch.no_grad():
            pred = model(Xva).argmax(1)
            rec = ((pred == 1) & (yva == 1)).sum().item() / max(1, (yva == 1).sum().item())
            acc = (pred == yva).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f} recall {rec:.2f}")
