"""BUG: the CNN's forward ends in torch.sigmoid (copied from a binary model), then
nn.CrossEntropyLoss: logits squashed to (0,1), so the softmax is nearly uniform and learning stalls."""
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_digits

torch.manual_seed(10)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
X = (X - X.mean()) / X.std()
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1400], y[:1400], X[1400:], y[1400:]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        return torch.sigmoid(self.fc(self.conv(x).flatten(1)))


model = Net()
crit = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(8):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 32):
        b = perm[i:i + 32]
        loss = crit(model(Xtr[b]), ytr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
