"""Bug: unstable-softmax. A distillation-style classifier sharpens its logits with temperature
0.05 and computes softmax by hand (exp(z) / exp(z).sum()) followed by log for the NLL: exp
overflows to inf, inf/inf = NaN."""

import torch
from sklearn.datasets import make_blobs
from torch import nn

torch.manual_seed(116)
Xn, yn = make_blobs(1200, n_features=8, centers=5, cluster_std=2.0, random_state=116)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 5))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
TEMP = 0.05
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        b = perm[i : i + 64]
        z = model(X[b]) / TEMP
        e = torch.exp(z)  # bug: no max subtraction
        probs = e / e.sum(1, keepdim=True)
        loss = -torch.log(probs[torch.arange(len(b)), y[b]]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.4f}")
