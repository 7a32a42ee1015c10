"""Clean: knowledge distillation on digits. A CNN teacher with BatchNorm + Dropout is trained,
then frozen (requires_grad_(False), eval()) and a small MLP student learns with
F.kl_div(log_target=True) at temperature 3 (scaled T^2) + 0.5 * CE. Student uses AdamW."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(4)
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=4, stratify=y)
Xtr = torch.tensor(Xtr / 16.0 - 0.5, dtype=torch.float32)
Xte = torch.tensor(Xte / 16.0 - 0.5, dtype=torch.float32)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

teacher = nn.Sequential(
    nn.Unflatten(1, (1, 8, 8)),
    nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 16, 10))
opt = torch.optim.Adam(teacher.parameters(), lr=2e-3)
for epoch in range(5):
    teacher.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        loss = F.cross_entropy(teacher(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
teacher.eval()
teacher.requires_grad_(False)
with torch.no_grad():
    tacc = (teacher(Xte).argmax(1) == yte).float().mean().item()
print(f"teacher test acc {tacc:.3f}")

student = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 10))
opt_s = torch.optim.AdamW(student.parameters(), lr=3e-3, weight_decay=1e-2)
T, alpha = 3.0, 0.5
for epoch in range(10):
    student.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        xb = Xtr[idx]
        t_logits = teacher(xb)
        s_logits = student(xb)
        kd = F.kl_div(F.log_softmax(s_logits / T, -1), F.log_softmax(t_logits / T, -1),
                      reduction="batchmean", log_target=True) * T * T
        loss = kd + alpha * F.cross_entropy(s_logits, ytr[idx])
        opt_s.zero_grad(); loss.backward(); opt_s.step()
    student.eval()
    with torch.no_grad():
        sacc = (student(Xte).argmax(1) == yte).float().mean().item()
    print(f"epoch {epoch} kd {kd.item():.3f} loss {loss.item():.3f} student acc {sacc:.3f}")
print(f"final student acc {sacc:.3f} (teacher {tacc:.3f})")
