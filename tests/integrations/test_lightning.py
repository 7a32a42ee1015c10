"""The Lightning callback watches a real Trainer.fit, and stays quiet on a healthy one."""

import pytest

pl = pytest.importorskip("lightning.pytorch", reason="the lightning extra is not installed")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from nndoctor.findings import Severity  # noqa: E402
from nndoctor.integrations.lightning import NNDoctorCallback  # noqa: E402


class DigitsMLP(pl.LightningModule):
    def __init__(self, lr: float):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        self.lr = lr

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return F.cross_entropy(self(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)


def _fit(lr: float) -> NNDoctorCallback:
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    X = (X - X.mean(0)) / (X.std(0) + 1e-6)
    loader = DataLoader(TensorDataset(X, torch.tensor(y)), batch_size=64, shuffle=True)
    callback = NNDoctorCallback(live=False)
    trainer = pl.Trainer(
        max_epochs=2,
        callbacks=[callback],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        devices=1,
    )
    trainer.fit(DigitsMLP(lr), loader)
    return callback


def test_diverging_lightning_run_is_diagnosed():
    callback = _fit(lr=1e4)
    found = {f.id for f in callback.findings}
    assert "nonfinite-loss" in found, [f.to_dict() for f in callback.findings]
    nan = next(f for f in callback.findings if f.id == "nonfinite-loss")
    assert nan.where is not None  # huge weights overflow the logits or the loss: either is named
    assert nan.evidence["step"] < 10


def test_healthy_lightning_run_has_no_problems():
    callback = _fit(lr=0.05)
    assert [f.id for f in callback.findings if f.severity.rank <= Severity.WARNING.rank] == []
