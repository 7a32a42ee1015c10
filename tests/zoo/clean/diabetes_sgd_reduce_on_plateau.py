"""Clean: MLP regression on diabetes, standardized X and y, SGD+momentum, ReduceLROnPlateau on val."""
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

torch.manual_seed(3)
X, y = load_diabetes(return_X_y=True)

Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=3)
xm, xs = Xtr.mean(0), Xtr.std(0)
ym, ys = ytr.mean(), ytr.std()
f = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xva = f((Xtr - xm) / xs), f((Xva - xm) / xs)
ytr, yva = f((ytr - ym) / ys).unsqueeze(1), f((yva - ym) / ys).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=5)
crit = nn.MSELoss()
for epoch in range(30):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        v = crit(model(Xva), yva).item()
    sched.step(v)
    if epoch % 10 == 0:
        print(f"epoch {epoch} train {loss.item():.3f} val {v:.3f} lr {opt.param_groups[0]['lr']:.4f}")
