"""Clean: 1-D CNN on synthetic noisy signals (sine / square / sawtooth / chirp), gradient
accumulation over 4 micro-batches (loss / 4), linear LR warmup then cosine decay per optimizer step."""
import math
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(5)
N, L = 2400, 128
t = torch.linspace(0, 1, L)
cls = torch.randint(0, 4, (N,))
freq = torch.empty(N).uniform_(3, 8)
phase = torch.empty(N).uniform_(0, 2 * math.pi)
arg = 2 * math.pi * freq[:, None] * t[None] + phase[:, None]
sig = torch.stack([
    torch.sin(arg),
    torch.sign(torch.sin(arg)),
    2 * ((arg / (2 * math.pi)) % 1) - 1,
    torch.sin(2 * math.pi * (freq[:, None] * t[None] * (1 + 2 * t[None])) + phase[:, None]),
], 1)[torch.arange(N), cls]
X = (sig + 0.3 * torch.randn(N, L)).unsqueeze(1)

model = nn.Sequential(
    nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
    nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
    nn.Linear(32, 4),
)
ACC, MB, EPOCHS = 4, 16, 6
steps_per_epoch = (2000 // MB) // ACC
total = steps_per_epoch * EPOCHS
warm = 20
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(2000)
    opt.zero_grad()
    for k, i in enumerate(range(0, 2000, MB)):
        b = perm[i:i + MB]
        loss = F.cross_entropy(model(X[b]), cls[b]) / ACC
        loss.backward()
        if (k + 1) % ACC == 0:
            opt.step()
            opt.zero_grad()
            sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X[2000:]).argmax(1) == cls[2000:]).float().mean()
    print(f"epoch {epoch} loss {loss.item() * ACC:.3f} lr {sched.get_last_lr()[0]:.2e} val acc {acc:.3f}")
