"""Clean: frozen randomly-initialised MLP 'backbone' (random features, requires_grad=False, eval),
trainable linear head only in the optimizer, CPU bf16 autocast, early stopping on validation loss."""
import copy
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(6)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
perm = torch.randperm(len(X))
tr, va = perm[:1400], perm[1400:]

backbone = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
for p in backbone.parameters():
    p.requires_grad = False
backbone.eval()
head = nn.Linear(256, 10)
opt = torch.optim.Adam(head.parameters(), lr=1e-3)
best, best_state, patience, bad = float("inf"), None, 5, 0
for epoch in range(100):
    head.train()
    p = torch.randperm(len(tr))
    for i in range(0, len(tr), 64):
        b = tr[p[i:i + 64]]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = head(backbone(X[b]))
        loss = F.cross_entropy(logits.float(), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    head.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        vl = F.cross_entropy(head(backbone(X[va])).float(), y[va]).item()
        acc = (head(backbone(X[va])).argmax(1) == y[va]).float().mean().item()
    print(f"epoch {epoch} train {loss.item():.3f} val {vl:.3f} acc {acc:.3f}")
    if vl < best - 1e-3:
        best, best_state, bad = vl, copy.deepcopy(head.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}, best val {best:.3f}")
            break
head.load_state_dict(best_state)
