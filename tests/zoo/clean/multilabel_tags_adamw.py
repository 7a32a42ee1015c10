"""Clean: multi-label classification (5 independent tags) on synthetic data with BCEWithLogitsLoss."""
import torch
import torch.nn as nn

torch.manual_seed(4)
N, D, L = 2000, 20, 5
X = torch.randn(N, D)
W = torch.randn(D, L)
logits = X @ W / 2 + 0.5 * torch.randn(N, L)
Y = (logits > 0.3).float()  # multi-hot, several tags per row
Xtr, Ytr, Xva, Yva = X[:1600], Y[:1600], X[1600:], Y[1600:]

model = nn.Sequential(nn.Linear(D, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, L))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
crit = nn.BCEWithLogitsLoss()
for epoch in range(20):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), Ytr[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        v = crit(out, Yva).item()
        acc = ((out > 0).float() == Yva).float().mean().item()
    print(f"epoch {epoch} train {loss.item():.3f} val {v:.3f} tag-acc {acc:.3f}")
