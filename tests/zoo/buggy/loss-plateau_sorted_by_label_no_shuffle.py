"""Bug: the training set is stored class by class (as an ImageFolder-style dump would be) and the
DataLoader is built without shuffle=True. Every batch holds one digit: each pulls the model
(and its BatchNorm statistics) towards its own class and the next undoes it, so the training
loss never settles below a constant prediction's (probe 9: found as a plateau with a generic
fix; shuffling was never mentioned)."""

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
order = np.argsort(ytr, kind="stable")  # the dataset, stored class by class
Xtr, ytr = Xtr[order], ytr[order]
mean, std = Xtr.mean(), Xtr.std()
train_set = TensorDataset(torch.tensor((Xtr - mean) / std, dtype=torch.float32), torch.tensor(ytr))
val_x, val_y = torch.tensor((Xva - mean) / std, dtype=torch.float32), torch.tensor(yva)
train_loader = DataLoader(train_set, batch_size=32, shuffle=False)  # BUG: sorted data, not shuffled

model = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(10):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(val_x)
    print(f"epoch {epoch}: val loss {criterion(out, val_y).item():.4f}, "
          f"val accuracy {(out.argmax(1) == val_y).float().mean().item():.3f}")
