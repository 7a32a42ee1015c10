"""Clean: 5-fold cross-validation on iris; model, optimizer and scheduler rebuilt per fold."""
import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(4)
X, y = load_iris(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y)
perm = torch.randperm(len(X))
folds = perm.chunk(5)
accs = []
for k in range(5):
    va = folds[k]
    tr = torch.cat([folds[j] for j in range(5) if j != k])
    mean, std = X[tr].mean(0), X[tr].std(0)
    Xtr, Xva = (X[tr] - mean) / std, (X[va] - mean) / std
    model = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60)
    for epoch in range(60):
        p = torch.randperm(len(tr))
        for i in range(0, len(tr), 16):
            b = p[i:i + 16]
            loss = F.cross_entropy(model(Xtr[b]), y[tr][b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == y[va]).float().mean().item()
    accs.append(acc)
    print(f"fold {k} last loss {loss.item():.3f} val acc {acc:.3f}")
print(f"cv acc {sum(accs) / 5:.3f}")
