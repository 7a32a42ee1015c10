"""Clean: siamese embedding net on breast-cancer features trained with the classic contrastive
margin loss on random pairs (same class -> pull together, different -> push beyond margin)."""
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(3)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)
n = len(X)
tr = torch.randperm(n)
tr, te = tr[:450], tr[450:]

net = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
margin = 2.0
for step in range(800):
    i = tr[torch.randint(0, len(tr), (64,))]
    j = tr[torch.randint(0, len(tr), (64,))]
    same = (y[i] == y[j]).float()
    d = F.pairwise_distance(net(X[i]), net(X[j]))
    loss = (same * d.pow(2) + (1 - same) * F.relu(margin - d).pow(2)).mean() / 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 200 == 0 or step == 799:
        with torch.no_grad():
            e_tr, e_te = net(X[tr]), net(X[te])
            c0, c1 = e_tr[y[tr] == 0].mean(0), e_tr[y[tr] == 1].mean(0)
            pred = ((e_te - c1).norm(dim=1) < (e_te - c0).norm(dim=1)).long()
            acc = (pred == y[te]).float().mean()
        print(f"step {step} loss {loss.item():.4f} nearest-centroid test acc {acc:.3f}")
