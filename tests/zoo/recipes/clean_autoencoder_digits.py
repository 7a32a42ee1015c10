"""Healthy: a denoising autoencoder on digits (noise added in training mode, targets = inputs). The
encoder's last Linear feeds the decoder's first Linear directly, in different parent modules: the
code is linear on purpose."""

import torch
from recipe_data import digits
from torch import nn


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 48))
        self.decoder = nn.Sequential(nn.Linear(48, 64), nn.ReLU(), nn.Linear(64, 64))

    def forward(self, x):
        if self.training:
            x = x + 0.5 * torch.randn_like(x)
        return self.decoder(self.encoder(x))


def recipe():
    torch.manual_seed(0)
    Xtr, _, Xva, _ = digits()
    return {
        "model": AutoEncoder(),
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train": (Xtr, Xtr),
        "val": (Xva, Xva),
        "batch_size": 64,
    }
