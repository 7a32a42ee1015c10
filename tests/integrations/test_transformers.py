"""The Hugging Face Trainer callback watches a real Trainer.train, and stays quiet on a healthy one."""

import pytest

transformers = pytest.importorskip("transformers", reason="the transformers extra is not installed")
pytest.importorskip("accelerate", reason="transformers' Trainer needs accelerate")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from torch import nn  # noqa: E402

from nndoctor.findings import Severity  # noqa: E402
from nndoctor.integrations.transformers import NNDoctorCallback  # noqa: E402


class WineDataset(torch.utils.data.Dataset):
    def __init__(self):
        X, y = load_wine(return_X_y=True)
        X = torch.tensor(X, dtype=torch.float32)
        self.X = (X - X.mean(0)) / X.std(0)
        self.y = torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"x": self.X[i], "labels": self.y[i]}


class WineClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))

    def forward(self, x, labels=None):
        logits = self.body(x)
        return {"loss": F.cross_entropy(logits, labels), "logits": logits}


def _train(tmp_path, lr: float, optim: str = "adamw_torch", max_grad_norm: float = 1.0) -> NNDoctorCallback:
    torch.manual_seed(0)
    callback = NNDoctorCallback(live=False)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path),
        num_train_epochs=3,
        per_device_train_batch_size=16,
        learning_rate=lr,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
        seed=0,
        lr_scheduler_type="constant",
        optim=optim,
        max_grad_norm=max_grad_norm,
    )
    trainer = transformers.Trainer(model=WineClassifier(), args=args, train_dataset=WineDataset(), callbacks=[callback])
    trainer.train()
    return callback


def test_diverging_trainer_run_is_diagnosed(tmp_path):
    callback = _train(tmp_path, lr=1e4, optim="sgd", max_grad_norm=0.0)
    assert "nonfinite-loss" in {f.id for f in callback.findings}, [f.to_dict() for f in callback.findings]


def test_healthy_trainer_run_has_no_problems(tmp_path):
    callback = _train(tmp_path, lr=1e-2)
    assert [f.id for f in callback.findings if f.severity.rank <= Severity.WARNING.rank] == []
