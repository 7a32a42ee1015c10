"""A VAE on digits (2-D latent, Bernoulli decoder, the KL term with its minus sign): encoder and
decoder are two models, the decoder fed the sampled latent. Healthy: the test -ELBO ends near 25."""
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits

torch.manual_seed(0); torch.set_num_threads(1)
X = torch.tensor(load_digits().data / 16.0, dtype=torch.float32)
train_ds, test_x = TensorDataset(X[:1400]), X[1400:]
loader = DataLoader(train_ds, batch_size=50, shuffle=True)

encoder = nn.Sequential(nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 4))   # -> mu, logvar
decoder = nn.Sequential(nn.Linear(2, 128), nn.Tanh(), nn.Linear(128, 64), nn.Sigmoid())
params = list(encoder.parameters()) + list(decoder.parameters())
opt = torch.optim.Adam(params, lr=2e-3)

def forward(x):
    mu, logvar = encoder(x).chunk(2, dim=1)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
    return decoder(z), mu, logvar

def neg_elbo(x):
    with torch.no_grad():
        xh, mu, logvar = forward(x)
        rec = F.binary_cross_entropy(xh, x, reduction="sum") / len(x)
        kl = (-0.5 * (1 + logvar - mu ** 2 - logvar.exp()).sum(1)).mean()
        return rec.item(), kl.item()

for epoch in range(30):
    for (xb,) in loader:
        xhat, mu, logvar = forward(xb)
        recon = F.binary_cross_entropy(xhat, xb, reduction="sum") / xb.size(0)
        kl_div = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / xb.size(0)
        loss = recon + kl_div
        opt.zero_grad(); loss.backward(); opt.step()
    if epoch % 10 == 9:
        r, k = neg_elbo(test_x); print(f"epoch {epoch+1} train loss {loss.item():.3f} | test rec {r:.3f} kl {k:.3f} -elbo {r+k:.3f}")
r, k = neg_elbo(test_x)
with torch.no_grad(): samples = decoder(torch.randn(500, 2))
print(f"final test -ELBO {r+k:.3f} (rec {r:.3f}, kl {k:.3f}); prior-sample pixel std {samples.std(0).mean().item():.3f}")
