"""Bug: missing-zero-grad. A student/teacher script calls teacher.zero_grad() (a copy-paste slip)
while the optimizer steps the student: the student's gradients are never cleared and pile up
across steps (MLP on breast-cancer features)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(53)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)

teacher = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Linear(64, 1))
student = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(student.parameters(), lr=0.01, momentum=0.9)
for _epoch in range(10):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        with torch.no_grad():
            soft = torch.sigmoid(teacher(X[idx]).squeeze(1))
        out = student(X[idx]).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(out, 0.5 * y[idx] + 0.5 * soft)
        teacher.zero_grad()
        loss.backward()
        optimizer.step()
print(f"loss {loss.item():.3f}")
