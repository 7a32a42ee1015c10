"""Healthy: a character-level GRU language model on a repeated text with truncated BPTT
(hidden state carried and detached between chunks), gradient clipping and Adam."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(5)
text = (
    "the quick brown fox jumps over the lazy dog. "
    "a stitch in time saves nine. all that glitters is not gold. "
    "where there is a will there is a way. "
) * 30
vocab = sorted(set(text))
stoi = {c: i for i, c in enumerate(vocab)}
data = torch.tensor([stoi[c] for c in text])
V, H, B, L = len(vocab), 64, 16, 32


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 32)
        self.gru = nn.GRU(32, H, batch_first=True)
        self.out = nn.Linear(H, V)

    def forward(self, x, h=None):
        o, h = self.gru(self.emb(x), h)
        return self.out(o), h


model = CharLM()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
stream = data[: (len(data) // B) * B].view(B, -1)
for epoch in range(3):
    h = None
    for i in range(0, stream.size(1) - L - 1, L):
        x, y = stream[:, i : i + L], stream[:, i + 1 : i + L + 1]
        logits, h = model(x, h)
        h = h.detach()
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
