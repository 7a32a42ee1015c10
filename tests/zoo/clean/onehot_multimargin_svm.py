"""Healthy: a linear multiclass SVM (nn.MultiMarginLoss, i.e. Crammer-Singer-style hinge) on purely
categorical records, one-hot encoded (sparse 0/1 inputs, each row has exactly 8 ones out of 40
columns, the standard encoding for categorical features), SGD with momentum and L2 weight decay."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(18)
N, n_feat, card, C = 4000, 8, 5, 4
cats = torch.randint(0, card, (N, n_feat))
table = torch.randn(n_feat, card, C) * 1.2
scores = table[torch.arange(n_feat), cats].sum(1) + 0.8 * torch.randn(N, C)
y = scores.argmax(1)
X = F.one_hot(cats, card).float().view(N, -1)  # (N, 40), 0/1
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]

model = nn.Linear(n_feat * card, C)
crit = nn.MultiMarginLoss(margin=1.0)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
for epoch in range(20):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        b = perm[i:i + 64]
        loss = crit(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 4 == 3:
        with torch.no_grad():
            acc = (model(Xva).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} hinge loss {loss.item():.3f} val acc {acc:.3f}")
print(f"majority class share {torch.bincount(yva).max().item() / len(yva):.3f}")
