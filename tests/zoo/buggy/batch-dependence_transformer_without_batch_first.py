"""Bug: nn.TransformerEncoderLayer built without batch_first=True but fed (batch, sequence, d)
tensors: self-attention runs across the batch (each position attends to the same position of
the other samples) instead of along the sequence. It trains, the loss falls somewhat, nothing
raises; a sample's prediction depends on the rest of its batch."""

import numpy as np
import torch
from torch import nn

torch.manual_seed(2)
np.random.seed(2)
V, N, L = 20, 1280, 24
tok = torch.tensor(np.random.randint(1, V, (N, L)))
lab = ((tok == 7).sum(1) > (tok == 3).sum(1)).long()


class Encoder(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(1, L, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1)  # BUG: batch_first=True is missing
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, t):  # t: (B, L)
        h = self.enc(self.emb(t) + self.pos)  # (B, L, d), read as (sequence=B, batch=L, d)
        return self.head(h.mean(1))


model = Encoder()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
crit = nn.CrossEntropyLoss()
for epoch in range(3):
    model.train()
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = crit(model(tok[idx]), lab[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
