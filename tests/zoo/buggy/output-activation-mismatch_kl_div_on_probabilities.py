"""Bug: knowledge distillation on digits whose student hands KLDivLoss softmax probabilities.

KLDivLoss expects its input as log-probabilities (only the target is a distribution): given
probabilities it computes sum q * (log q - p), a loss that barely moves with the student's
prediction. A practitioners' classic (the PyTorch forums' "KLDivLoss is negative" threads).
"""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(12)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

teacher = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
opt_t = torch.optim.Adam(teacher.parameters(), lr=1e-3)
for _ in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(teacher(X[idx]), y[idx])
        opt_t.zero_grad()
        loss.backward()
        opt_t.step()
teacher.eval()

student = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
opt_s = torch.optim.Adam(student.parameters(), lr=2e-3)
kl = nn.KLDivLoss(reduction="batchmean")
T = 4.0
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        with torch.no_grad():
            soft = F.softmax(teacher(X[idx]) / T, dim=1)
        logits = student(X[idx])
        loss = kl(F.softmax(logits / T, dim=1), soft) * T * T  # BUG: the input must be log_softmax
        opt_s.zero_grad()
        loss.backward()
        opt_s.step()
    print(f"epoch {epoch} distill loss {loss.item():.3f}")
