"""Healthy: full-batch LBFGS (strong Wolfe line search) with a closure fitting a small tanh MLP to a
smooth 1-D function; the loss drops to ~1e-5 in a few dozen outer steps."""
import torch
from torch import nn

torch.manual_seed(2)
x = torch.linspace(-3, 3, 400).unsqueeze(1)
y = torch.sin(2 * x) * torch.exp(-0.2 * x**2) + 0.01 * torch.randn_like(x)
model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                        line_search_fn="strong_wolfe")
mse = nn.MSELoss()


def closure():
    opt.zero_grad()
    loss = mse(model(x), y)
    loss.backward()
    return loss


for step in range(40):
    loss = opt.step(closure)
    if step % 10 == 0:
        print(f"step {step} loss {loss.item():.6f}")
print(f"final loss {mse(model(x), y).item():.6f}")
