"""Clean: tiny Transformer encoder (batch_first=True) classifies variable-length token sequences
(does the sequence contain token 7 more often than token 3?). Proper key padding mask (True = pad),
masked mean pooling, AdamW with linear warm-up then cosine decay (capped LambdaLR)."""
import math, numpy as np, torch, torch.nn as nn
torch.manual_seed(2); np.random.seed(2)
V, PAD, N, L = 20, 0, 2000, 24
lens = np.random.randint(8, L + 1, N)
tok = np.zeros((N, L), dtype=np.int64)
for i in range(N):
    tok[i, :lens[i]] = np.random.randint(1, V, lens[i])
lab = ((tok == 7).sum(1) > (tok == 3).sum(1)).astype(np.int64)
tok, lab = torch.tensor(tok), torch.tensor(lab)
tr, va = slice(0, 1600), slice(1600, None)

class Enc(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, L, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)
    def forward(self, t):
        pad = t == PAD
        h = self.enc(self.emb(t) + self.pos, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        return self.head((h * keep).sum(1) / keep.sum(1))

model = Enc()
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
EPOCHS, B = 10, 64
steps = EPOCHS * math.ceil(1600 / B); warm = 50
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / warm) if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (steps - warm))))
crit = nn.CrossEntropyLoss()
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(1600)
    for i in range(0, 1600, B):
        idx = perm[i:i + B]
        loss = crit(model(tok[tr][idx]), lab[tr][idx])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    model.eval()
    with torch.no_grad():
        out = model(tok[va]); acc = (out.argmax(1) == lab[va]).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
