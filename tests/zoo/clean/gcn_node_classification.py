"""Healthy: a 2-layer graph convolutional network (symmetric-normalised adjacency with self loops,
dense matmul) for full-batch node classification on a synthetic stochastic block model graph;
training on 20% labelled nodes, dropout, Adam with weight decay, masked cross-entropy."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(8)
n_per, C, F_in = 150, 4, 16
N = n_per * C
labels = torch.arange(C).repeat_interleave(n_per)
p_in, p_out = 0.06, 0.006
prob = torch.where(labels[:, None] == labels[None, :], p_in, p_out)
A = (torch.rand(N, N) < prob).float()
A = torch.triu(A, 1)
A = A + A.t()
A_hat = A + torch.eye(N)
d = A_hat.sum(1).rsqrt()
A_norm = d[:, None] * A_hat * d[None, :]
centers = torch.randn(C, F_in) * 0.5
feats = centers[labels] + torch.randn(N, F_in)  # features alone are weakly informative
perm = torch.randperm(N)
train_mask = torch.zeros(N, dtype=torch.bool); train_mask[perm[:120]] = True
val_mask = torch.zeros(N, dtype=torch.bool); val_mask[perm[120:]] = True


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(F_in, 32)
        self.l2 = nn.Linear(32, C)
        self.drop = nn.Dropout(0.5)

    def forward(self, x, adj):
        h = F.relu(adj @ self.l1(self.drop(x)))
        return adj @ self.l2(self.drop(h))


model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
for epoch in range(200):
    model.train()
    out = model(feats, A_norm)
    loss = F.cross_entropy(out[train_mask], labels[train_mask])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 40 == 0 or epoch == 199:
        model.eval()
        with torch.no_grad():
            out = model(feats, A_norm)
            vloss = F.cross_entropy(out[val_mask], labels[val_mask]).item()
            acc = (out[val_mask].argmax(1) == labels[val_mask]).float().mean().item()
        print(f"epoch {epoch} loss {loss.item():.3f} val loss {vloss:.3f} val acc {acc:.3f}")
