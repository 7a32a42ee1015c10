"""Bug: the loop trains on the batch taken for a shape check before it, at every step, instead
of the batch it iterates over. The model memorises those 32 examples (training loss ~0.0006,
no mistake on them) while it gets a quarter of the validation digits wrong; the validation loss
climbs from the second epoch on, even though the validation error drifts down a little (probe 9:
called an info about overconfidence, "nothing is wrong" if only the answers matter)."""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
mean, std = Xtr.mean(), Xtr.std()


def images(a):
    return torch.tensor((a - mean) / std, dtype=torch.float32).view(-1, 1, 8, 8)


train_loader = DataLoader(TensorDataset(images(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)
val_x, val_y = images(Xva), torch.tensor(yva)
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
)  # fmt: skip
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

inputs, labels = next(iter(train_loader))  # a shape check on one batch
print("batch", tuple(inputs.shape), "-> logits", tuple(model(inputs).shape))
for epoch in range(10):
    model.train()
    for _images, _targets in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)  # BUG: should be model(_images), _targets
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        out = model(val_x)
    print(f"epoch {epoch}: val loss {criterion(out, val_y).item():.4f}, "
          f"val accuracy {(out.argmax(1) == val_y).float().mean().item():.3f}")
