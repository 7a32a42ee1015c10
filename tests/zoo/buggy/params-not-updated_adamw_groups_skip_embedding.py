"""Bug: minGPT-style AdamW parameter groups built by module type: Linear/Conv1d weights decay,
biases and LayerNorm parameters do not. nn.Embedding (and the learned positional nn.Parameter)
fall into neither group, so the token embeddings stay at their random initialisation for the
whole run while still receiving gradients (the "every parameter in one group" assert was left out)."""
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(11); np.random.seed(11)
V, N, L, D = 40, 3000, 32, 16
tok = torch.tensor(np.random.randint(0, V, (N, L)))
# label: do tokens 0..19 (group A) outnumber tokens 20..39 weighted by position parity?
lab = (((tok < 20).float() * (1 + (torch.arange(L) % 2))).sum(1) > 1.5 * L * 0.5).long()
tr, va = slice(0, 2500), slice(2500, None)

class ConvText(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.pos = nn.Parameter(torch.zeros(1, L, D))
        self.conv = nn.Conv1d(D, 64, 3, padding=1)
        self.norm = nn.LayerNorm(64)
        self.fc = nn.Linear(64, 2)
    def forward(self, t):
        h = (self.emb(t) + self.pos).transpose(1, 2)
        h = F.gelu(self.conv(h)).transpose(1, 2)
        return self.fc(self.norm(h).mean(1))

model = ConvText()
decay, no_decay = set(), set()
for mn, m in model.named_modules():
    for pn, p in m.named_parameters(recurse=False):
        full = f"{mn}.{pn}" if mn else pn
        if pn.endswith("bias"):
            no_decay.add(full)
        elif pn.endswith("weight") and isinstance(m, (nn.Linear, nn.Conv1d)):
            decay.add(full)
        elif pn.endswith("weight") and isinstance(m, nn.LayerNorm):
            no_decay.add(full)
pd = dict(model.named_parameters())
opt = torch.optim.AdamW([{"params": [pd[n] for n in sorted(decay)], "weight_decay": 0.05},
                         {"params": [pd[n] for n in sorted(no_decay)], "weight_decay": 0.0}], lr=3e-3)
crit = nn.CrossEntropyLoss()
for epoch in range(3):
    model.train()
    perm = torch.randperm(2500)
    for i in range(0, 2500, 64):
        idx = perm[i:i + 64]
        loss = crit(model(tok[tr][idx]), lab[tr][idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(tok[va]); acc = (out.argmax(1) == lab[va]).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
