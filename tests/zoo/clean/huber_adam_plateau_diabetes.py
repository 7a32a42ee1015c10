"""Clean: diabetes regression with SmoothL1/Huber loss (delta=1 on standardized y), Adam,
ReduceLROnPlateau on validation loss, keeps best-val checkpoint state_dict."""
import copy
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
X, y = load_diabetes(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=5)
xm, xs = Xtr.mean(0), Xtr.std(0)
ym, ys = ytr.mean(), ytr.std()
f = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xva = f((Xtr - xm) / xs), f((Xva - xm) / xs)
ytr, yva = f((ytr - ym) / ys).unsqueeze(1), f((yva - ym) / ys).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 32), nn.SiLU(), nn.Linear(32, 32), nn.SiLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=4, min_lr=1e-5)
crit = nn.HuberLoss(delta=1.0)
best, best_state = float("inf"), None
for epoch in range(50):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i:i + 32]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pv = model(Xva)
        v = crit(pv, yva).item()
    sched.step(v)
    if v < best:
        best, best_state = v, copy.deepcopy(model.state_dict())
    if epoch % 10 == 0:
        print(f"epoch {epoch} train {loss.item():.3f} val huber {v:.3f} lr {opt.param_groups[0]['lr']:.1e}")
model.load_state_dict(best_state)
with torch.no_grad():
    pv = model(Xva)
r2 = 1 - ((pv - yva) ** 2).mean().item() / yva.var(unbiased=False).item()
print(f"best val huber {best:.3f} val R2 {r2:.3f}")
