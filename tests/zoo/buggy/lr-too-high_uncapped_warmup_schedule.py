"""Bug: a linear warm-up written as LambdaLR(lambda s: (s + 1) / WARMUP) without min(1, ...):
after the warm-up the multiplier keeps growing, so the rate of this SGD+momentum MLP on the
digits climbs far past the intended 0.05 (27x by the end of six epochs) and training fails."""
import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
torch.manual_seed(8); np.random.seed(8)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-6), dtype=torch.float32); y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1440], y[:1440], X[1440:], y[1440:]
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
WARMUP = 10
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / WARMUP)   # <- no min(1.0, ...)
crit = nn.CrossEntropyLoss()
for epoch in range(6):
    model.train()
    perm = torch.randperm(1440)
    for i in range(0, 1440, 32):
        idx = perm[i:i + 32]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva); vl = crit(out, yva).item(); acc = (out.argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} lr {opt.param_groups[0]['lr']:.2f} val {vl:.3f} acc {acc:.3f}")
