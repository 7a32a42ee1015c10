"""Clean: a GAN on a 2-D ring of 8 Gaussians with the non-saturating BCE loss, two Adam optimizers."""
import math
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(2)


def sample_real(n):
    k = torch.randint(0, 8, (n,))
    ang = k.float() * 2 * math.pi / 8
    centers = torch.stack([torch.cos(ang), torch.sin(ang)], 1) * 2.0
    return centers + 0.05 * torch.randn(n, 2)


G = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
D = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
ones, zeros = torch.ones(128, 1), torch.zeros(128, 1)
for step in range(1500):
    real = sample_real(128)
    fake = G(torch.randn(128, 8))
    d_loss = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    if step % 300 == 0:
        with torch.no_grad():
            s = G(torch.randn(1000, 8))
            r = s.norm(dim=1).mean()
        print(f"step {step} d {d_loss.item():.3f} g {g_loss.item():.3f} mean radius {r:.2f}")
