"""Healthy: a small Trainer class (fit / train_epoch / evaluate methods, history kept, a
StepLR schedule) around an Adagrad-trained iris classifier, as hand-rolled frameworks do."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn


class Trainer:
    def __init__(self, model, optimizer, scheduler):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.history = []

    def train_epoch(self, X, y, bs=16):
        self.model.train()
        perm = torch.randperm(len(X))
        for i in range(0, len(X), bs):
            idx = perm[i : i + bs]
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(X[idx]), y[idx])
            loss.backward()
            self.optimizer.step()
        self.scheduler.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, X, y):
        self.model.eval()
        return F.cross_entropy(self.model(X), y).item()

    def fit(self, train, val, epochs):
        for _ in range(epochs):
            self.history.append((self.train_epoch(*train), self.evaluate(*val)))
        return self.history


torch.manual_seed(73)
Xn, yn = load_iris(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3))
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05)
trainer = Trainer(model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5))
history = trainer.fit((X[:120], y[:120]), (X[120:], y[120:]), epochs=60)
print(f"final train {history[-1][0]:.3f} val {history[-1][1]:.3f}")
