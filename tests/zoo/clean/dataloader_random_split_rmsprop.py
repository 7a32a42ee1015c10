"""Healthy: the textbook structure: a Dataset class with a per-sample transform (noise augmentation),
random_split into train/val, DataLoaders (shuffle, drop_last), RMSprop, and argparse defaults."""

import argparse

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()
torch.manual_seed(70)


class Digits(Dataset):
    def __init__(self, augment=False):
        X, y = load_digits(return_X_y=True)
        self.X = torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
        self.y = torch.tensor(y)
        self.augment = augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = (self.X[i] - 0.3) / 0.4
        if self.augment:
            x = x + 0.1 * torch.randn_like(x)
        return x, self.y[i]


train_set, val_set = random_split(Digits(augment=True), [1500, 297])
train_loader = DataLoader(train_set, batch_size=64, shuffle=True, drop_last=True)
val_loader = DataLoader(val_set, batch_size=128)
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
optimizer = torch.optim.RMSprop(model.parameters(), lr=args.lr)
for epoch in range(args.epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch} val acc {correct / len(val_set):.3f}")
