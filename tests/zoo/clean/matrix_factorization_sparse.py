"""Healthy: a matrix-factorisation recommender (user and item embeddings with sparse=True plus
per-user / per-item biases and a global mean) on synthetic low-rank ratings, SparseAdam for the
sparse embeddings and Adam for the dense global bias; RMSE on held-out ratings."""
import torch
from torch import nn

torch.manual_seed(13)
U, I, R = 500, 300, 6
Pu, Qi = torch.randn(U, R) * 0.6, torch.randn(I, R) * 0.6
bu, bi = 0.3 * torch.randn(U), 0.3 * torch.randn(I)
n = 30000
users, items = torch.randint(0, U, (n,)), torch.randint(0, I, (n,))
ratings = 3.5 + bu[users] + bi[items] + (Pu[users] * Qi[items]).sum(1) + 0.3 * torch.randn(n)
tr, va = slice(0, 27000), slice(27000, n)


class MF(nn.Module):
    def __init__(self):
        super().__init__()
        self.P = nn.Embedding(U, 16, sparse=True)
        self.Q = nn.Embedding(I, 16, sparse=True)
        self.bu = nn.Embedding(U, 1, sparse=True)
        self.bi = nn.Embedding(I, 1, sparse=True)
        self.mu = nn.Parameter(torch.tensor(3.5))
        for e in (self.P, self.Q):
            nn.init.normal_(e.weight, std=0.1)
        for e in (self.bu, self.bi):
            nn.init.zeros_(e.weight)

    def forward(self, u, i):
        return self.mu + self.bu(u).squeeze(1) + self.bi(i).squeeze(1) + (self.P(u) * self.Q(i)).sum(1)


model = MF()
sparse_params = [model.P.weight, model.Q.weight, model.bu.weight, model.bi.weight]
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=1e-2)
opt_dense = torch.optim.Adam([model.mu], lr=1e-2)
mse = nn.MSELoss()
for epoch in range(10):
    perm = torch.randperm(27000)
    for k in range(0, 27000, 512):
        b = perm[k:k + 512]
        loss = mse(model(users[tr][b], items[tr][b]), ratings[tr][b])
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss.backward()
        opt_sparse.step()
        opt_dense.step()
    with torch.no_grad():
        rmse = mse(model(users[va], items[va]), ratings[va]).sqrt().item()
    print(f"epoch {epoch} train mse {loss.item():.3f} val rmse {rmse:.3f}")
print(f"global-mean rmse {(ratings[va] - ratings[tr].mean()).pow(2).mean().sqrt().item():.3f}, noise floor 0.3")
