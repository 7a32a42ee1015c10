"""Healthy: 300 labelled digits, an MLP with batch norm and dropout, SGD with momentum 0.9 at
lr 0.1, evaluated on 899 held-out digits every epoch. The validation loss wanders up and down
by a third with SGD's noise while the validation error stays within its noise (about 5%): only
the model's confidence on the examples it gets wrong moves, which is no reason to stop."""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X / 16.0, y, test_size=0.5, random_state=0, stratify=y)
Xtr, Xva = torch.tensor(Xtr[:300], dtype=torch.float32), torch.tensor(Xva, dtype=torch.float32)
ytr, yva = torch.tensor(ytr[:300]), torch.tensor(yva)
loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=50, shuffle=True)

model = nn.Sequential(
    nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(256, 10),
)  # fmt: skip
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
criterion = nn.CrossEntropyLoss()
for epoch in range(40):
    model.train()
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss, acc = criterion(out, yva).item(), (out.argmax(1) == yva).float().mean().item()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1} val loss {val_loss:.4f} val acc {acc:.3f}")
