"""Healthy: an IRNN (ReLU RNN with identity recurrent weights, Le et al. 2015) predicting the
running sum of a noisy 60-step sequence, SGD with momentum and the gradient norm clipped at 1."""
import torch, torch.nn as nn
torch.manual_seed(0)
T, N = 60, 3000
def make(n):
    x = torch.randn(n, T, 1)
    y = x[:, :, 0].sum(1, keepdim=True) / T ** 0.5
    return x, y
Xtr, ytr = make(N); Xva, yva = make(1000)

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(1, 32, nonlinearity="relu", batch_first=True)
        nn.init.eye_(self.rnn.weight_hh_l0); nn.init.zeros_(self.rnn.bias_hh_l0)
        self.head = nn.Linear(32, 1)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])
model = Model()
opt = torch.optim.SGD(model.parameters(), lr=0.003, momentum=0.9)
loss_fn = nn.MSELoss()
for epoch in range(3):
    model.train()
    perm = torch.randperm(N)
    for i in range(0, N, 50):
        idx = perm[i:i + 50]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # FIXED: clip
        opt.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xva), yva).item()
    print(f"epoch {epoch} train_loss {loss.item():.4f} val_mse {val:.4f} (predict-0 baseline {yva.pow(2).mean().item():.4f})")
print(f"FINAL val_mse {val:.4f}")
