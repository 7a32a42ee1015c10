"""Clean: tied-weight autoencoder on digits in [0,1]; the decoder reuses encoder weights
transposed (F.linear(h, W.t())), with its own bias; sigmoid output + BCE."""
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_digits

torch.manual_seed(5)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
Xtr, Xva = X[:1500], X[1500:]


class TiedAE(nn.Module):
    def __init__(self, d=64, h1=48, h2=16):
        super().__init__()
        self.enc1 = nn.Linear(d, h1)
        self.enc2 = nn.Linear(h1, h2)
        self.dec2_bias = nn.Parameter(torch.zeros(h1))
        self.dec1_bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        z = torch.relu(self.enc2(torch.relu(self.enc1(x))))
        h = torch.relu(F.linear(z, self.enc2.weight.t(), self.dec2_bias))
        return F.linear(h, self.enc1.weight.t(), self.dec1_bias)  # logits


model = TiedAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 64):
        xb = Xtr[perm[i:i + 64]]
        loss = F.binary_cross_entropy_with_logits(model(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 5 == 0 or epoch == 39:
        model.eval()
        with torch.no_grad():
            mse = F.mse_loss(torch.sigmoid(model(Xva)), Xva).item()
        print(f"epoch {epoch} bce {loss.item():.4f} val mse {mse:.4f}")
