"""Bug: MSELoss(reduction='sum') with an SGD learning rate chosen for a mean loss. The gradient is
batch-size (128) times larger, so the GRU regressor (a weighted sum of a noisy sequence) diverges
within the first epoch."""
import numpy as np, torch, torch.nn as nn
torch.manual_seed(10); np.random.seed(10)
N, T = 4000, 20
X = np.random.randn(N, T, 2).astype(np.float32)
w = np.linspace(0.2, 1.0, T)
y = (X[:, :, 0] * w).sum(1) - 0.5 * (X[:, :, 1] * w[::-1]).sum(1)
y = ((y - y.mean()) / y.std()).astype(np.float32)
X, y = torch.tensor(X), torch.tensor(y)
Xtr, ytr, Xva, yva = X[:3500], y[:3500], X[3500:], y[3500:]

class Reg(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(2, 32, batch_first=True); self.out = nn.Linear(32, 1)
    def forward(self, x):
        o, _ = self.gru(x)
        return self.out(o[:, -1]).squeeze(-1)

model = Reg()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
crit = nn.MSELoss(reduction="sum")                     # <- sum, lr tuned for mean
for epoch in range(2):
    model.train()
    perm = torch.randperm(3500)
    for i in range(0, 3500, 128):
        idx = perm[i:i + 128]
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        vl = nn.functional.mse_loss(model(Xva), yva).item()
    print(f"epoch {epoch} batch loss {loss.item():.2f} val mse {vl:.4f}")
