"""Healthy: a loop split into train_one_epoch()/evaluate() helpers with print logging, an MLP on
wine features with clip_grad_norm_ (max_norm=1.0) and SGD with momentum."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(41)


def load_data():
    X, y = load_wine(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X.mean(0)) / X.std(0)
    y = torch.tensor(y)
    perm = torch.randperm(len(X))
    X, y = X[perm], y[perm]
    return (X[:140], y[:140]), (X[140:], y[140:])


def train_one_epoch(model, criterion, optimizer, X, y, batch_size=16):
    model.train()
    total = 0.0
    perm = torch.randperm(len(X))
    for i in range(0, len(X), batch_size):
        idx = perm[i : i + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X)


@torch.no_grad()
def evaluate(model, criterion, X, y):
    model.eval()
    logits = model(X)
    return criterion(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main():
    (Xtr, ytr), (Xva, yva) = load_data()
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=1e-3)
    for epoch in range(10):
        train_loss = train_one_epoch(model, criterion, optimizer, Xtr, ytr)
        val_loss, val_acc = evaluate(model, criterion, Xva, yva)
        if epoch % 4 == 0:
            print(f"epoch {epoch} train {train_loss:.3f} val {val_loss:.3f} acc {val_acc:.2f}")


if __name__ == "__main__":
    main()
