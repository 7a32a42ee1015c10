"""Clean: bidirectional GRU tagger. Synthetic sequences of tokens 1..8 with variable length
(padded with 0, labels -100 at pads). Tag at t = 2*(x[t-1] odd) + (x[t+1] odd) (needs both directions; pad=0 counts even).
Loss = CE over all time steps flattened to (B*T, C), ignore_index=-100. Grad clipping 1.0."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
V, T, N = 9, 16, 2000
def make(n):
    x = torch.randint(1, V, (n, T))
    lens = torch.randint(8, T + 1, (n,))
    mask = torch.arange(T)[None, :] < lens[:, None]
    x = x * mask
    left = F.pad(x, (1, 0))[:, :-1]
    right = F.pad(x, (0, 1))[:, 1:]
    y = 2 * (left % 2) + (right % 2)
    y[~mask] = -100
    return x, y
Xtr, Ytr = make(N)
Xte, Yte = make(500)

class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 32, padding_idx=0)
        self.rnn = nn.GRU(32, 48, batch_first=True, bidirectional=True)
        self.out = nn.Linear(96, 4)
    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h)

model = Tagger()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(5):
    model.train()
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i:i + 64]
        logits = model(Xtr[idx])
        loss = F.cross_entropy(logits.reshape(-1, 4), Ytr[idx].reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xte).argmax(-1)
        m = Yte != -100
        acc = (pred[m] == Yte[m]).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} test token acc {acc:.3f}")
print(f"final token acc {acc:.3f}")
