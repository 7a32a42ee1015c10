"""Clean: depthwise-separable CNN (groups=C conv + 1x1 pointwise, BN, ReLU) on 8x8 digits,
CPU autocast(bfloat16) with a GradScaler that is explicitly disabled, SGD nesterov + StepLR per epoch."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(2)
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=2, stratify=y)
Xtr = torch.tensor(Xtr / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
Xte = torch.tensor(Xte / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

def dsconv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
    dsconv(16, 32), nn.MaxPool2d(2),
    dsconv(32, 64), nn.MaxPool2d(2),
    dsconv(64, 64), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.3)
scaler = torch.amp.GradScaler("cpu", enabled=False)
for epoch in range(10):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(Xtr[idx])
            loss = F.cross_entropy(logits.float(), ytr[idx])
        opt.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    sched.step()
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} test acc {acc:.3f}")
print(f"final test acc {acc:.3f}")
