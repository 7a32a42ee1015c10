"""Healthy: fine-tuning with frozen batch norm (model.train(), then every BatchNorm in eval mode with
its affine parameters frozen), a model.zero_grad() loop and a StepLR schedule."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(11)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
y = torch.tensor(y)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(32, 10),
)
# "pretrained" batch-norm statistics, recomputed the SWA way (no_grad, train mode, momentum=None)
torch.optim.swa_utils.update_bn([X[i : i + 200] for i in range(0, len(X), 200)], model)


def freeze_bn(m):
    if isinstance(m, nn.BatchNorm2d):
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)


optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.3)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    model.train()
    model.apply(freeze_bn)
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        model.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        scheduler.step()
print(f"final loss {loss.item():.3f}")
