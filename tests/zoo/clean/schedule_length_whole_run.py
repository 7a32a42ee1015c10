"""Healthy twin of lr-too-low_schedule_length_one_epoch: the warm-up and linear decay run over the
whole run's batches, total_steps = len(loader) * epochs."""

import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor((X - X.mean(0)) / (X.std(0) + 1e-8), dtype=torch.float32)
y = torch.tensor(y)
perm = torch.randperm(len(y))
tr, va = perm[:1400], perm[1400:]
loader = DataLoader(TensorDataset(X[tr], y[tr]), batch_size=64, shuffle=True)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
epochs = 10
total_steps = len(loader) * epochs
warmup = max(1, total_steps // 10)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total_steps - step) / (total_steps - warmup))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss()
for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X[va]).argmax(1) == y[va]).float().mean().item()
    print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.4f} loss {loss.item():.3f} val acc {acc:.3f}")
