"""Bug: src_key_padding_mask built as (tokens != PAD), True on the real tokens. PyTorch reads True as
"ignore", so attention looks only at the padding (full-length rows are masked entirely). The
pooling mask (the same tensor used as "keep") is right. The model settles on the majority class."""
import math, numpy as np, torch, torch.nn as nn
torch.manual_seed(2); np.random.seed(2)
V, PAD, N, L = 20, 0, 2000, 24
lens = np.random.randint(8, L + 1, N)
tok = np.zeros((N, L), dtype=np.int64)
for i in range(N):
    tok[i, :lens[i]] = np.random.randint(1, V, lens[i])
lab = ((tok == 7).sum(1) > (tok == 3).sum(1)).astype(np.int64)   # needs the whole sequence
tok, lab = torch.tensor(tok), torch.tensor(lab)
tr, va = slice(0, 1600), slice(1600, None)

class Enc(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, L, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.head = nn.Linear(d, 2)
    def forward(self, t):
        mask = t != PAD                                   # <- True on real tokens
        x = torch.cat([self.cls.expand(len(t), -1, -1), self.emb(t) + self.pos], 1)
        mask = torch.cat([torch.ones(len(t), 1, dtype=torch.bool), mask], 1)
        h = self.enc(x, src_key_padding_mask=mask)
        return self.head(h[:, 0])                          # CLS token

model = Enc()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
crit = nn.CrossEntropyLoss()
for epoch in range(10):
    model.train()
    perm = torch.randperm(1600)
    for i in range(0, 1600, 64):
        idx = perm[i:i + 64]
        loss = crit(model(tok[tr][idx]), lab[tr][idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(tok[va]); acc = (out.argmax(1) == lab[va]).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
