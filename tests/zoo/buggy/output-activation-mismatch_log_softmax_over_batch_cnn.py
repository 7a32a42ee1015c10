"""Bug: the CNN ends in F.log_softmax(x, dim=0) (over the batch) instead of dim=1 (over the classes)
and trains with NLLLoss. Each class column is normalised across the samples of the batch: the
loss can be lowered without classifying, and a prediction depends on the rest of its batch."""
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from sklearn.datasets import load_digits
torch.manual_seed(9); np.random.seed(9)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8); y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1440], y[:1440], X[1440:], y[1440:]

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1); self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64); self.fc2 = nn.Linear(64, 10)
    def forward(self, x):
        x = F.relu(self.c1(x)); x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return F.log_softmax(self.fc2(x), dim=0)            # <- dim=0

model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.NLLLoss()
for epoch in range(6):
    model.train()
    perm = torch.randperm(1440)
    for i in range(0, 1440, 64):
        idx = perm[i:i + 64]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva); acc = (out.argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.3f} val acc {acc:.3f}")
