"""Healthy: a small pre-norm transformer classifying whether a token sequence contains more 'a's
than 'b's; LayerNorm, GELU, label smoothing 0.1 and a OneCycleLR schedule with AdamW."""

import torch
from torch import nn

torch.manual_seed(6)
N, T, V = 1500, 16, 8
X = torch.randint(0, V, (N, T))
y = ((X == 1).sum(1) > (X == 2).sum(1)).long()


class Encoder(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.zeros(1, T, d))
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1, activation="gelu", batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        h = self.enc(self.tok(x) + self.pos)
        return self.head(self.norm(h.mean(1)))


model = Encoder()
epochs, bs = 5, 50
Xtr, ytr, Xva, yva = X[:1300], y[:1300], X[1300:], y[1300:]
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
steps = epochs * (len(Xtr) // bs)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr) - bs + 1, bs):
        idx = perm[i : i + bs]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} val acc {acc:.3f}")
