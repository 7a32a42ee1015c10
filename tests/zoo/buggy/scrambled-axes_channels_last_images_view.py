"""BUG: colour images stored channels-last, (N, H, W, 3) as image libraries give them, are fed to a
CNN with x.view(-1, 3, 8, 8) instead of x.permute(0, 3, 1, 2). view() only regroups memory: each
"channel" the first convolution reads is a strip of interleaved red, green and blue values of
neighbouring pixels, and its "neighbouring pixels" are unrelated numbers."""
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
gray = torch.tensor(X, dtype=torch.float32).reshape(-1, 8, 8) / 16.0
shift = torch.roll(gray, 1, dims=2)  # green: the digit moved right by a pixel
rgb = torch.stack([gray, shift, 1.0 - gray], dim=-1)  # (N, 8, 8, 3): channels last
rgb = (rgb - rgb.mean()) / rgb.std()
y = torch.tensor(y)
perm = torch.randperm(len(y))
tr, va = perm[:1400], perm[1400:]
train = DataLoader(TensorDataset(rgb[tr], y[tr]), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 4 * 4, 10),
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
crit = nn.CrossEntropyLoss()


def to_model(x):
    return x.view(-1, 3, 8, 8)  # BUG: view is not a permute


for epoch in range(6):
    model.train()
    for xb, yb in train:
        loss = crit(model(to_model(xb)), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        out = model(to_model(rgb[va]))
        acc = (out.argmax(1) == y[va]).float().mean().item()
        val = crit(out, y[va]).item()
    print(f"epoch {epoch} train loss {loss.item():.3f} val loss {val:.3f} val acc {acc:.3f}")
