"""Healthy: a tiny transformer encoder on token ids (embedding, GELU feed-forward, layer norm,
AdamW with warm-up) that learns whether a sequence holds more 1-tokens than 2-tokens."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(11)
V, T, N = 12, 16, 2048
tokens = torch.randint(0, V, (N, T))
labels = ((tokens == 1).sum(1) > (tokens == 2).sum(1)).long()


class TinyTransformer(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.embed = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(
            d, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True, activation="gelu"
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)

    def forward(self, ids):
        h = self.encoder(self.embed(ids) + self.pos)
        return self.head(self.norm(h.mean(dim=1)))


model = TinyTransformer()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 20))
for _step in range(120):
    idx = torch.randint(0, N, (64,))
    loss = F.cross_entropy(model(tokens[idx]), labels[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
print(f"final loss {loss.item():.3f}")
