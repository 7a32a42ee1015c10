"""Clean: tabular binary classification with 3 categorical columns (nn.Embedding each)
+ 5 standardised numeric columns, MLP, BCEWithLogitsLoss, AdamW, synthetic data."""
import torch
from torch import nn

torch.manual_seed(2)
N = 6000
cards = [12, 40, 5]
cats = torch.stack([torch.randint(0, c, (N,)) for c in cards], 1)
num = torch.randn(N, 5)
effects = [torch.randn(c) for c in cards]
logit = sum(e[cats[:, j]] for j, e in enumerate(effects)) + num @ torch.tensor([1.0, -0.5, 0.8, 0.0, 0.3]) + 0.7 * num[:, 0] * num[:, 1]
y = torch.bernoulli(torch.sigmoid(logit))
perm = torch.randperm(N)
tr, va = perm[:5000], perm[5000:]


class TabNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, min(8, (c + 1) // 2)) for c in cards)
        d = sum(e.embedding_dim for e in self.embs) + 5
        self.mlp = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, c, x):
        e = torch.cat([emb(c[:, j]) for j, emb in enumerate(self.embs)] + [x], 1)
        return self.mlp(e).squeeze(1)


model = TabNet()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
loss_fn = nn.BCEWithLogitsLoss()
for epoch in range(12):
    model.train()
    p = tr[torch.randperm(len(tr))]
    for i in range(0, len(p), 128):
        b = p[i:i + 128]
        loss = loss_fn(model(cats[b], num[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        out = model(cats[va], num[va])
        vl = loss_fn(out, y[va]).item()
        acc = ((out > 0).float() == y[va]).float().mean().item()
    print(f"epoch {epoch} train {loss.item():.3f} val {vl:.3f} acc {acc:.3f}")
