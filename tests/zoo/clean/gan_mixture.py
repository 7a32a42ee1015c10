"""Healthy: a small GAN on a 2-D Gaussian mixture, DCGAN-style loop (two optimizers, batch norm in
the generator, netD.zero_grad()/netG.zero_grad(), samples drawn under no_grad in train mode)."""

import math

import torch
from torch import nn

torch.manual_seed(7)
centers = torch.tensor([[math.cos(a), math.sin(a)] for a in torch.arange(8) * (2 * math.pi / 8)]) * 2.0


def real_batch(n):
    return centers[torch.randint(0, 8, (n,))] + 0.05 * torch.randn(n, 2)


netG = nn.Sequential(nn.Linear(8, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
netD = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
criterion = nn.BCEWithLogitsLoss()
optD = torch.optim.Adam(netD.parameters(), lr=1e-3, betas=(0.5, 0.999))
optG = torch.optim.Adam(netG.parameters(), lr=1e-3, betas=(0.5, 0.999))
fixed_noise = torch.randn(128, 8)
for it in range(300):
    real = real_batch(64)
    netD.zero_grad()
    errD_real = criterion(netD(real), torch.ones(64, 1))
    errD_real.backward()
    fake = netG(torch.randn(64, 8))
    errD_fake = criterion(netD(fake.detach()), torch.zeros(64, 1))
    errD_fake.backward()
    optD.step()
    netG.zero_grad()
    errG = criterion(netD(fake), torch.ones(64, 1))
    errG.backward()
    optG.step()
    if it % 100 == 0:
        with torch.no_grad():
            samples = netG(fixed_noise)
print(f"D {errD_real.item() + errD_fake.item():.3f} G {errG.item():.3f} spread {samples.std().item():.2f}")
