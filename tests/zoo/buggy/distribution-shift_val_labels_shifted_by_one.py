"""BUG: the training targets are built by a helper written for labels that start at 1
(``label - 1``), while the digits' labels start at 0 and the validation pass uses them as they
are: every training class is the validation class one below it (0 is trained as 9). The model
learns the training set and is wrong on almost every validation example: far below chance."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
perm = torch.randperm(len(y))
tr, va = perm[:1300], perm[1300:]


def class_index(labels):
    return (labels - 1) % 10  # BUG: labels start at 0, not 1


model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(10):
    model.train()
    order = tr[torch.randperm(len(tr))]
    for i in range(0, len(order), 32):
        idx = order[i : i + 32]
        loss = criterion(model(X[idx]), class_index(y[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(X[va])
        val_loss, acc = criterion(out, y[va]).item(), (out.argmax(1) == y[va]).float().mean().item()
    print(f"epoch {epoch} train loss {loss.item():.3f} val loss {val_loss:.3f} val acc {acc:.3f}")
