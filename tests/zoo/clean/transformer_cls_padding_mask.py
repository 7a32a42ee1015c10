"""Clean: Transformer encoder with a CLS token and a key padding mask on variable-length sequences.
Task: does token 3 appear before token 5 (first occurrences)?"""
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
V, T, N, PAD, CLS = 10, 20, 3000, 0, 1
lengths = torch.randint(6, T + 1, (N,))
tokens = torch.randint(2, V, (N, T))
mask = torch.arange(T)[None, :] >= lengths[:, None]  # True = padding
tokens[mask] = PAD


def first_pos(tok, v):
    hit = (tok == v)
    pos = torch.where(hit.any(1), hit.float().argmax(1), torch.full((tok.shape[0],), T))
    return pos


labels = (first_pos(tokens, 3) < first_pos(tokens, 5)).long()
tokens = torch.cat([torch.full((N, 1), CLS), tokens], 1)
mask = torch.cat([torch.zeros(N, 1, dtype=torch.bool), mask], 1)


class Enc(nn.Module):
    def __init__(self, d=48):
        super().__init__()
        self.emb = nn.Embedding(V, d, padding_idx=PAD)
        self.pos = nn.Embedding(T + 1, d)
        layer = nn.TransformerEncoderLayer(d, 4, 96, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.out = nn.Linear(d, 2)

    def forward(self, x, pad_mask):
        h = self.emb(x) + self.pos(torch.arange(x.shape[1]))[None]
        h = self.enc(h, src_key_padding_mask=pad_mask)
        return self.out(h[:, 0])


tr, va = slice(0, 2500), slice(2500, N)
model = Enc()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
for epoch in range(8):
    model.train()
    perm = torch.randperm(2500)
    for i in range(0, 2500, 64):
        b = perm[i:i + 64]
        loss = F.cross_entropy(model(tokens[tr][b], mask[tr][b]), labels[tr][b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(tokens[va], mask[va]).argmax(1) == labels[va]).float().mean()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
