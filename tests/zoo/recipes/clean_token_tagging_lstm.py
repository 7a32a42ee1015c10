"""Healthy: a bidirectional LSTM tags every token of a sequence (targets (N, T), logits (N, C, T))."""

import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        self.rnn = nn.LSTM(16, 32, batch_first=True, bidirectional=True)
        self.out = nn.Linear(64, 4)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h).transpose(1, 2)


def recipe():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 20, (500, 10), generator=g)
    y = X % 4
    return {
        "model": Tagger(),
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train": (X[:400], y[:400]),
        "val": (X[400:], y[400:]),
        "batch_size": 32,
    }
