"""Healthy: a tiny causal transformer language model on a periodic token stream; the additive
causal mask (-inf above the diagonal) is built once and passed to the model's forward
as an argument, as nn.Transformer.generate_square_subsequent_mask does."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(22)
V, T, D = 12, 16, 32
pattern = torch.tensor([1, 2, 3, 4, 5, 3, 2, 6, 7, 8, 9, 10, 11, 0])
stream = pattern.repeat(300)


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.pos = nn.Embedding(T, D)
        layer = nn.TransformerEncoderLayer(D, 2, 64, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.out = nn.Linear(D, V)

    def forward(self, x, mask):
        h = self.emb(x) + self.pos(torch.arange(x.size(1)))
        return self.out(self.blocks(h, mask=mask, is_causal=True))


model = TinyLM()
mask = nn.Transformer.generate_square_subsequent_mask(T)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)
for _ in range(150):
    starts = torch.randint(0, len(stream) - T - 1, (32,))
    x = torch.stack([stream[s : s + T] for s in starts])
    y = torch.stack([stream[s + 1 : s + T + 1] for s in starts])
    loss = F.cross_entropy(model(x, mask).reshape(-1, V), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
