"""Bug: train-mode-eval. A transformer text classifier is validated every epoch under
torch.no_grad() but model.eval() is never called, so the encoder's dropout (p=0.3) stays active
and the reported validation accuracy is noisy and pessimistic."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(40)
N, T, V = 1200, 12, 10
X = torch.randint(0, V, (N, T))
y = ((X == 3).sum(1) >= 2).long()
Xtr, ytr, Xva, yva = X[:1000], y[:1000], X[1000:], y[1000:]


class Classifier(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.3, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        return self.head(self.enc(self.emb(x)).mean(1))


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(4):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        idx = perm[i : i + 50]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} val acc {acc:.3f}")
