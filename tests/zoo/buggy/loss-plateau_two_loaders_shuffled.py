"""Bug: features and labels are put in two separate DataLoaders, each with shuffle=True, and
zipped: every batch pairs inputs with the labels of other rows, so nothing can be learned."""
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader

torch.manual_seed(13)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)
x_loader = DataLoader(X, batch_size=32, shuffle=True)
y_loader = DataLoader(y, batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.BCEWithLogitsLoss()
for epoch in range(15):
    total = 0.0
    for xb, yb in zip(x_loader, y_loader):
        opt.zero_grad()
        loss = crit(model(xb).squeeze(1), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    print(f"epoch {epoch} loss {total / len(X):.3f}")
