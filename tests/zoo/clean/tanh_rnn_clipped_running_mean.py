"""Healthy (a probe's: a noisy mid-run rise of the validation loss was called overfitting). Vanilla tanh nn.RNN regression: predict a damped running mean of the inputs, with clip_grad_norm_."""
import torch
from torch import nn

torch.manual_seed(0)
N, T = 4000, 30
X = torch.randn(N, T, 2)
# target: exponentially-weighted average of x0 * x1 over time (needs memory)
y = torch.zeros(N)
for t in range(T):
    y = 0.85 * y + 0.15 * (X[:, t, 0] + 0.5 * X[:, t, 1])
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]

class RNNReg(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 32, batch_first=True, nonlinearity="tanh")
        self.out = nn.Linear(32, 1)
    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(-1)

model = RNNReg()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
mse = nn.MSELoss()
for epoch in range(15):
    perm = torch.randperm(len(ytr))
    for i in range(0, len(ytr), 32):
        b = perm[i:i + 32]
        loss = mse(model(Xtr[b]), ytr[b])
        opt.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    with torch.no_grad():
        vm = mse(model(Xva), yva).item()
    print(f"epoch {epoch} val mse {vm:.5f}")
print(f"FINAL val MSE {vm:.5f} (predict-mean baseline {yva.var().item():.5f})")
