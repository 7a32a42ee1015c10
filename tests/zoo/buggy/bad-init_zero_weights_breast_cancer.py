"""Bug: all hidden weights initialised to zero ("clean start"). Every hidden unit computes the same
function and receives the same gradient: symmetry is never broken; layer 2's weights get zero
gradient in the first layers entirely; the net behaves like a 1-unit model."""
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(11)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(30, 64)
        self.fc2 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.weight)  # bug
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x))))).squeeze(1)


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(40):
    perm = torch.randperm(500)
    for i in range(0, 500, 50):
        b = perm[i:i + 50]
        loss = F.binary_cross_entropy_with_logits(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            acc = ((model(X[500:]) > 0).float() == y[500:]).float().mean()
            distinct = model.fc1.weight.std(0).max()
        print(f"epoch {epoch} loss {loss.item():.3f} acc {acc:.3f} fc1 row spread {distinct:.2e}")
