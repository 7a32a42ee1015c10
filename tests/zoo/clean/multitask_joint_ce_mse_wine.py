"""Clean: shared trunk + two heads trained jointly on wine: classify cultivar (CE) and regress
standardized alcohol content (MSE) from the other 12 features; loss = CE + 0.5 * MSE."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

torch.manual_seed(1)
X, y = load_wine(return_X_y=True)
alcohol = X[:, 0].copy()
X = X[:, 1:]
Xtr, Xte, ytr, yte, atr, ate = train_test_split(X, y, alcohol, test_size=0.3, random_state=1, stratify=y)
m, s = Xtr.mean(0), Xtr.std(0)
am, as_ = atr.mean(), atr.std()
t = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xte = t((Xtr - m) / s), t((Xte - m) / s)
atr, ate = t((atr - am) / as_).unsqueeze(1), t((ate - am) / as_).unsqueeze(1)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

class MultiTask(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.cls = nn.Linear(32, 3)
        self.reg = nn.Linear(32, 1)
    def forward(self, x):
        h = self.trunk(x)
        return self.cls(h), self.reg(h)

model = MultiTask()
opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
for epoch in range(60):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 16):
        idx = perm[i:i + 16]
        logits, pred = model(Xtr[idx])
        ce = F.cross_entropy(logits, ytr[idx])
        mse = F.mse_loss(pred, atr[idx])
        loss = ce + 0.5 * mse
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            lg, pr = model(Xte)
            acc = (lg.argmax(1) == yte).float().mean().item()
            r2 = 1 - F.mse_loss(pr, ate).item() / ate.var(unbiased=False).item()
        print(f"epoch {epoch} ce {ce.item():.3f} mse {mse.item():.3f} test acc {acc:.3f} alcohol R2 {r2:.3f}")
print(f"final test acc {acc:.3f} R2 {r2:.3f}")
