"""Healthy: a text classifier on variable-length token sequences padded with id 0: nn.Embedding with
padding_idx=0 (the pad row stays zero and never receives gradient, by design), masked mean pooling,
a two-layer head; synthetic "sentiment" where a few positive/negative marker tokens decide the label."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(25)
V, Lmax, N = 500, 40, 5000
lengths = torch.randint(5, Lmax + 1, (N,))
tokens = torch.randint(3, V, (N, Lmax))
pos_tok, neg_tok = torch.arange(3, 23), torch.arange(23, 43)
polarity = torch.zeros(V); polarity[pos_tok] = 1; polarity[neg_tok] = -1
tokens[torch.arange(Lmax)[None] >= lengths[:, None]] = 0  # pad
score = polarity[tokens].sum(1)
keep = score != 0
tokens, y = tokens[keep], (score[keep] > 0).long()
n = len(y)
n_tr = int(0.85 * n)


class BagClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 32, padding_idx=0)
        self.head = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, tok):
        mask = (tok != 0).unsqueeze(-1).float()
        e = self.emb(tok)
        return self.head((e * mask).sum(1) / mask.sum(1).clamp_min(1) * 4)


model = BagClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(8):
    model.train()
    perm = torch.randperm(n_tr)
    for i in range(0, n_tr, 64):
        b = perm[i:i + 64]
        loss = F.cross_entropy(model(tokens[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(tokens[n_tr:]).argmax(1) == y[n_tr:]).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
print("pad row norm", model.emb.weight[0].norm().item())
