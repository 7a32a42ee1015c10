"""Bug: exploding-gradients. An IRNN (ReLU RNN with identity recurrent weights, Le et al. 2015)
over 60 steps, SGD with momentum, no gradient clipping: the loss is NaN by step 2. Without
clipping only a rate 243x smaller trains; clipped at 1, the script's own rate does (the twin
clean/irnn_running_sum_clipped.py). From a probe, where lr-too-high took the blame."""
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
for epoch in range(2):
    model.train()
    perm = torch.randperm(N)
    for i in range(0, N, 50):
        idx = perm[i:i + 50]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        opt.zero_grad(); loss.backward()
        opt.step()                                      # BUG: no gradient clipping on a long RNN
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xva), yva).item()
    print(f"epoch {epoch} train_loss {loss.item():.4f} val_mse {val:.4f} (predict-0 baseline {yva.pow(2).mean().item():.4f})")
print(f"FINAL val_mse {val:.4f}")
