"""Healthy: a physical parametric model in float64: y(t) = A exp(-gamma t) cos(omega t + phi) + c,
five nn.Parameters (no layers; gamma kept positive through softplus), fitted to noisy measurements
with Adam then refined; the recovered parameters match the truth."""
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(15)
D = torch.float64  # explicit dtypes: the zoo runs in one process, the default dtype is shared
t = torch.linspace(0, 10, 500, dtype=D)
true = dict(A=2.0, gamma=0.3, omega=3.0, phi=0.5, c=0.2)
y = true["A"] * torch.exp(-true["gamma"] * t) * torch.cos(true["omega"] * t + true["phi"]) + true["c"]
y = y + 0.05 * torch.randn_like(y)


class Oscillator(nn.Module):
    def __init__(self):
        super().__init__()
        self.A = nn.Parameter(torch.tensor(1.0, dtype=D))
        self.raw_gamma = nn.Parameter(torch.tensor(-1.0, dtype=D))
        self.omega = nn.Parameter(torch.tensor(2.9, dtype=D))  # from a rough FFT peak
        self.phi = nn.Parameter(torch.tensor(0.0, dtype=D))
        self.c = nn.Parameter(torch.tensor(0.0, dtype=D))

    def forward(self, t):
        gamma = F.softplus(self.raw_gamma)
        return self.A * torch.exp(-gamma * t) * torch.cos(self.omega * t + self.phi) + self.c


model = Oscillator()
opt = torch.optim.Adam(model.parameters(), lr=0.02)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[800, 1400], gamma=0.3)
for step in range(2000):
    loss = F.mse_loss(model(t), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 400 == 0:
        print(f"step {step} mse {loss.item():.6f}")
est = dict(A=model.A.item(), gamma=F.softplus(model.raw_gamma).item(), omega=model.omega.item(),
           phi=model.phi.item(), c=model.c.item())
print("final mse %.6f (noise var 0.0025)" % loss.item())
print("estimated", {k: round(v, 3) for k, v in est.items()})
